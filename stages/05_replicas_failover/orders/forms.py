from django import forms


class CheckoutForm(forms.Form):
    """The checkout's one-time key, made when the page is shown (see services.order_place)."""

    checkout_key = forms.UUIDField(widget=forms.HiddenInput)
