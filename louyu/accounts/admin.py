"""Admin for accounts, memberships, second factors and lockouts.

Which admin role sees what comes from ROLE_PERMISSIONS (system admin: users; security admin:
memberships, second factors, lockouts); every write goes through services so it is audited."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from louyu.accounts import services
from louyu.accounts.models import SCOPE_KIND, Membership, User

# The admin user behind a password form's save() (the admin builds that form without request).
_actor: ContextVar[Any] = ContextVar("louyu_admin_actor", default=None)


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "real_name", "phone")


class PasswordSetAdminForm(AdminPasswordChangeForm):
    """Sets the password through services.user_password_set (audited, policy-checked)."""

    def save(self, commit: bool = True) -> Any:
        password = (
            self.cleaned_data["password1"] if self.cleaned_data["set_usable_password"] else None
        )
        return services.user_password_set(actor=_actor.get(), user=self.user, password=password)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Accounts: the system administrator creates, edits and disables them; nobody deletes
    them (the audit log points at them). Permissions come from roles, never per user."""

    add_form = UserCreationAdminForm
    change_password_form = PasswordSetAdminForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Profile"), {"fields": ("real_name", "phone", "email")}),
        (_("Status"), {"fields": ("is_active", "is_staff")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "real_name",
                    "phone",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    list_display = ("username", "real_name", "is_active", "is_staff", "last_login")
    list_filter = ("is_active", "is_staff")
    search_fields = ("username", "real_name", "email")
    filter_horizontal = ()
    actions = ["disable_users"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("username", "last_login", "date_joined") if obj else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        token = _actor.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _actor.reset(token)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            usable = form.cleaned_data.get("set_usable_password", True)
            created = services.user_create(
                actor=request.user,
                username=obj.username,
                password=form.cleaned_data.get("password1") if usable else None,
                real_name=obj.real_name,
                phone=obj.phone,
            )
            obj.pk, obj.password, obj._state.adding = created.pk, created.password, False
            return
        current = User.objects.get(pk=obj.pk)
        changes = {
            name: getattr(obj, name)
            for name in form.changed_data
            if name in services.USER_PROFILE_FIELDS
        }
        services.user_update(actor=request.user, user=current, **changes)
        if "is_active" in form.changed_data:
            services.user_set_active(actor=request.user, user=current, active=obj.is_active)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """No many-to-many data: groups and per-user permissions are not used."""

    @admin.action(description=_("Disable selected accounts"), permissions=["change"])
    def disable_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = 0
        for user in queryset.filter(is_active=True):
            services.user_set_active(actor=request.user, user=user, active=False)
            count += 1
        self.message_user(request, _("%(count)d accounts disabled.") % {"count": count})


class MembershipAdminForm(forms.ModelForm):
    """A membership named by username, role and scope (type and id)."""

    user = forms.ModelChoiceField(
        label=_("Username"),
        queryset=User.objects.all(),
        to_field_name="username",
        widget=forms.TextInput,
    )

    class Meta:
        model = Membership
        fields = ("user", "role", "scope_type", "scope_id", "title")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "scope_type" in self.fields:
            kinds = {tuple(kind.split(".")) for kind in SCOPE_KIND.values()}
            ids = [ct.pk for ct in ContentType.objects.all() if (ct.app_label, ct.model) in kinds]
            self.fields["scope_type"].queryset = ContentType.objects.filter(pk__in=ids)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        scope_type, scope_id = data.get("scope_type"), data.get("scope_id")
        if self.instance.pk is None and scope_type is not None and scope_id is not None:
            model = scope_type.model_class()
            if model is None or not model._default_manager.filter(pk=scope_id).exists():
                self.add_error("scope_id", _("Nothing of this kind has this id."))
        return data


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Who holds which role where: the security administrator's job."""

    form = MembershipAdminForm
    list_display = ("user", "role", "scope_type", "scope_id", "title", "created_at")
    list_filter = ("role",)
    list_select_related = ("user", "scope_type")
    search_fields = ("user__username", "user__real_name", "title")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Role, user and scope never change in place: revoke and grant instead.
        return ("user", "role", "scope_type", "scope_id", "created_at") if obj else ()

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            current = Membership.objects.get(pk=obj.pk)
            services.membership_update(actor=request.user, membership=current, title=obj.title)
            return
        scope = obj.scope_type.get_object_for_this_type(pk=obj.scope_id)
        created = services.membership_grant(
            actor=request.user, user=obj.user, role=obj.role, scope=scope, title=obj.title
        )
        obj.pk, obj._state.adding = created.pk, False

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.membership_revoke(actor=request.user, membership=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        for membership in queryset.select_related("user"):
            services.membership_revoke(actor=request.user, membership=membership)


# Replace the admins that django-otp and django-axes register (their apps load first).
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


class ConfirmedFilter(admin.SimpleListFilter):
    title = _("confirmed")
    parameter_name = "confirmed"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("1", _("Yes")), ("0", _("No"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[TOTPDevice]) -> Any:
        if self.value() in ("0", "1"):
            return queryset.filter(confirmed=self.value() == "1")
        return queryset


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(admin.ModelAdmin):
    """Second-factor devices: the security administrator may see and remove them (a lost
    phone), never read their secrets."""

    # django-otp's fields have English names only: each column is labelled here (issue 12).
    list_display = ("owner", "device_name", "is_confirmed", "created", "last_used")
    list_filter = (ConfirmedFilter,)
    list_select_related = ("user",)
    search_fields = ("user__username", "user__real_name")
    fields = list_display
    readonly_fields = fields

    @admin.display(description=_("account"), ordering="user__username")
    def owner(self, obj: TOTPDevice) -> str:
        user = obj.user
        return f"{user.real_name}（{user.username}）" if user.real_name else user.username

    @admin.display(description=_("device name"), ordering="name")
    def device_name(self, obj: TOTPDevice) -> str:
        return obj.name

    @admin.display(description=_("confirmed"), boolean=True, ordering="confirmed")
    def is_confirmed(self, obj: TOTPDevice) -> bool:
        return obj.confirmed

    @admin.display(description=_("created at"), ordering="created_at")
    def created(self, obj: TOTPDevice) -> Any:
        return obj.created_at

    @admin.display(description=_("last used at"), ordering="last_used_at")
    def last_used(self, obj: TOTPDevice) -> Any:
        return obj.last_used_at

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.totp_device_delete(actor=request.user, device=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[TOTPDevice]) -> None:
        for device in queryset.select_related("user"):
            services.totp_device_delete(actor=request.user, device=device)


if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class LockoutAdmin(AccessAttemptAdmin):
    """Failed sign-in counters; deleting one lifts the lockout, audited."""

    @admin.display(description=_("Status"))
    def status(self, obj: AccessAttempt) -> str:
        return str(super().status(obj))  # axes leaves the column unnamed (issue 12)

    @admin.display(description=_("Expires At"))
    def expiration(self, obj: AccessAttempt) -> Any:
        return super().expiration(obj)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.lockout_clear(actor=request.user, attempt=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        for attempt in queryset:
            services.lockout_clear(actor=request.user, attempt=attempt)
