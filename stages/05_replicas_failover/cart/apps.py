from django.apps import AppConfig


class CartConfig(AppConfig):
    name = "cart"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_delete, post_save

        from .models import CartLine
        from .signals import cart_count_retire, cart_merge_at_login

        user_logged_in.connect(cart_merge_at_login, dispatch_uid="cart_merge_at_login")
        for signal in (post_save, post_delete):
            signal.connect(cart_count_retire, sender=CartLine, dispatch_uid="cart_count_retire")
