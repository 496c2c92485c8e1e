from django.shortcuts import redirect, render


def home(request):
    if request.user.is_authenticated:
        return redirect("sharing:clinician-home" if request.user.is_clinician else "logs:quick-log")
    return render(request, "home.html")
