from django.contrib.auth import login
from django.shortcuts import redirect, render

from .forms import RegisterForm


def register(request):
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        # The one backend of settings.AUTHENTICATION_BACKENDS (stage 04: the cached user).
        login(request, user)
        return redirect("home")
    status = 400 if form.errors else 200
    return render(request, "registration/register.html", {"form": form}, status=status)
