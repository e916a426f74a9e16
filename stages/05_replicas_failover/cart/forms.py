from django import forms

from .models import MAX_QUANTITY


class QuantityForm(forms.Form):
    product_id = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    quantity = forms.IntegerField(min_value=1, max_value=MAX_QUANTITY, initial=1)


class ChangeQuantityForm(QuantityForm):
    quantity = forms.IntegerField(min_value=0, max_value=MAX_QUANTITY)
