from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.core.formfields import CheckedForm


class VerifyForm(CheckedForm):
    """The public verification page's upload (its bytes are checked in ``core.uploads``)."""

    file = forms.FileField(
        label=_("待核验的PDF文件"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )


class CredentialUploadForm(CheckedForm):
    """An org's signing certificate: its PKCS#12 file and the password it was exported with
    (used to decode the file, never stored)."""

    file = forms.FileField(
        label=_("证书文件（PKCS#12，.p12/.pfx）"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".p12,.pfx,application/x-pkcs12", "class": "form-control"}
        ),
    )
    password = forms.CharField(
        label=_("证书密码"),
        required=False,
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "class": "form-control"}),
    )
