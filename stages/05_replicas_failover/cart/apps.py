from django.apps import AppConfig


class CartConfig(AppConfig):
    name = "cart"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .signals import cart_merge_at_login

        user_logged_in.connect(cart_merge_at_login, dispatch_uid="cart_merge_at_login")
