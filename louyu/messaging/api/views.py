"""/api/v1/messaging/: conversations, messages, search, attachments and moderation. Every
endpoint reaches rows through the selectors' access helpers: what is not yours is 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from louyu.api.fields import query_data
from louyu.api.pagination import Pagination
from louyu.api.serializers import ErrorSerializer
from louyu.core.exceptions import ApplicationError
from louyu.messaging import selectors, services
from louyu.messaging.api import serializers as s
from louyu.messaging.models import Message

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}


def _valid(serializer_class: type, data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _payload(message: Message) -> dict[str, Any]:
    return selectors.message_payload(selectors.message_queryset().get(pk=message.pk))


class ConversationListApi(APIView):
    """The caller's conversations, newest activity first, with unread counts."""

    pagination_class = Pagination

    @extend_schema(responses={200: s.ConversationSerializer(many=True)})
    def get(self, request: Request) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(
            selectors.conversation_list(request.user), request, view=self
        )
        return paginator.get_paginated_response(s.ConversationSerializer(page, many=True).data)


class ConversationDetailApi(APIView):
    @extend_schema(responses={200: s.ConversationSerializer, 404: ErrorSerializer})
    def get(self, request: Request, pk: int) -> Response:
        selectors.get_conversation_for_user(request.user, pk)
        conversation = selectors.conversation_list(request.user).get(pk=pk)
        return Response(s.ConversationSerializer(conversation).data)


class MemberListApi(APIView):
    @extend_schema(responses={200: s.MemberSerializer(many=True), 404: ErrorSerializer})
    def get(self, request: Request, pk: int) -> Response:
        conversation = selectors.get_conversation_for_user(request.user, pk)
        return Response(s.MemberSerializer(selectors.member_list(conversation), many=True).data)


class MessageListApi(APIView):
    """GET: up to `limit` messages in id order — the first after `after`, else the last before
    `before` (or the latest). POST: send; idempotent with `client_id` (201 first time, 200 for a
    resend answering the first message)."""

    @extend_schema(
        parameters=[s.MessagePageQuerySerializer],
        responses={200: s.MessageSerializer(many=True), 404: ErrorSerializer},
    )
    def get(self, request: Request, pk: int) -> Response:
        conversation = selectors.get_conversation_for_user(request.user, pk)
        query = _valid(s.MessagePageQuerySerializer, query_data(request))
        messages = selectors.message_page(
            conversation,
            after=query.get("after"),
            before=query.get("before"),
            limit=query["limit"],
        )
        return Response([selectors.message_payload(m) for m in messages])

    @extend_schema(
        request=s.MessageSendSerializer,
        responses={200: s.MessageSerializer, 201: s.MessageSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        conversation = selectors.get_conversation_for_user(request.user, pk, write=True)
        data = _valid(s.MessageSendSerializer, request.data)
        reply_to = None
        if data.get("reply_to"):
            reply_to = Message.objects.filter(
                pk=data["reply_to"], conversation=conversation
            ).first()
            if reply_to is None:
                raise Http404
        attachments = [
            selectors.get_attachment_for_user(request.user, pk, write=True)
            for pk in dict.fromkeys(data["attachments"])
        ]
        if any(a.conversation_id != conversation.pk for a in attachments):
            raise Http404
        message, created = services.message_send(
            actor=request.user,
            conversation=conversation,
            body=data["body"],
            client_id=data["client_id"],
            reply_to=reply_to,
            mentions=data["mentions"],
            attachments=attachments,
        )
        return Response(
            _payload(message), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class MessageDetailApi(APIView):
    """PATCH: edit one's own message; DELETE: delete it (both within the edit window). The
    PATCH body is whole: `body` is required."""

    patch_partial = False

    @extend_schema(request=s.MessageEditSerializer, responses={200: s.MessageSerializer, **ERRORS})
    def patch(self, request: Request, pk: int) -> Response:
        message = selectors.get_message_for_user(request.user, pk)
        data = _valid(s.MessageEditSerializer, request.data)
        services.message_edit(actor=request.user, message=message, body=data["body"])
        return Response(_payload(message))

    @extend_schema(responses={204: None, **ERRORS})
    def delete(self, request: Request, pk: int) -> Response:
        message = selectors.get_message_for_user(request.user, pk)
        services.message_delete(actor=request.user, message=message)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReactionApi(APIView):
    """Toggle the caller's reaction."""

    @extend_schema(request=s.ReactionSerializer, responses={200: s.MessageSerializer, **ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        message = selectors.get_message_for_user(request.user, pk)
        data = _valid(s.ReactionSerializer, request.data)
        services.reaction_toggle(actor=request.user, message=message, emoji=data["emoji"])
        return Response(_payload(message))


class ReadApi(APIView):
    """Move the caller's read pointer forward."""

    @extend_schema(request=s.ReadSerializer, responses={200: s.ReadStateSerializer, **ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        conversation = selectors.get_conversation_for_user(request.user, pk)
        data = _valid(s.ReadSerializer, request.data)
        pointer = services.conversation_read(
            actor=request.user, conversation=conversation, last_read_id=data["last_read_id"]
        )
        return Response({"last_read_id": pointer})


class ReadCountApi(APIView):
    """How many members have read a message (announcement read counts)."""

    @extend_schema(responses={200: s.ReadCountSerializer, 404: ErrorSerializer})
    def get(self, request: Request, pk: int) -> Response:
        message = selectors.get_message_for_user(request.user, pk)
        return Response(selectors.announcement_reads(message))


class SearchApi(APIView):
    """Chinese full-text search over the conversations the caller takes part in."""

    pagination_class = Pagination

    @extend_schema(
        parameters=[s.SearchQuerySerializer],
        responses={200: s.MessageSerializer(many=True), 400: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        query = _valid(s.SearchQuerySerializer, query_data(request))
        conversation = None
        if query.get("conversation"):
            conversation = selectors.get_conversation_for_user(request.user, query["conversation"])
        paginator = Pagination()
        page: list[Message] | None = paginator.paginate_queryset(
            selectors.message_search(request.user, query["q"], conversation=conversation),
            request,
            view=self,
        )
        return paginator.get_paginated_response([selectors.message_payload(m) for m in page or []])


class AttachmentUploadApi(APIView):
    """Upload an image or file into a conversation; send its id with the message."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": s.AttachmentUploadSerializer},
        responses={201: s.AttachmentSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        conversation = selectors.get_conversation_for_user(request.user, pk, write=True)
        data = _valid(s.AttachmentUploadSerializer, request.data)
        attachment = services.attachment_upload(
            actor=request.user, conversation=conversation, upload=data["file"]
        )
        return Response(s.AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class ReportApi(APIView):
    @extend_schema(request=s.ReportSerializer, responses={201: None, **ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        message = selectors.get_message_for_user(request.user, pk)
        data = _valid(s.ReportSerializer, request.data)
        services.message_report(actor=request.user, message=message, reason=data["reason"])
        return Response(status=status.HTTP_201_CREATED)


class RemoveApi(APIView):
    """A moderator removes a message."""

    @extend_schema(request=s.RemoveSerializer, responses={200: s.MessageSerializer, **ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        message = selectors.get_message_for_user(request.user, pk)
        data = _valid(s.RemoveSerializer, request.data)
        services.message_remove(actor=request.user, message=message, reason=data["reason"])
        return Response(_payload(message))


class MuteApi(APIView):
    """A moderator mutes a member for some minutes (0 lifts it)."""

    @extend_schema(request=s.MuteSerializer, responses={204: None, **ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        from louyu.accounts.models import User

        conversation = selectors.get_conversation_for_user(request.user, pk)
        data = _valid(s.MuteSerializer, request.data)
        user = User.objects.filter(pk=data["user"]).first()
        if user is None:
            raise Http404
        try:
            services.participant_mute(
                actor=request.user,
                conversation=conversation,
                user=user,
                minutes=data["minutes"],
                reason=data["reason"],
            )
        except ApplicationError as error:
            # Muting oneself is not a moderator's to do: refused like any forbidden act.
            if error.code != "self":
                raise
            raise ApplicationError(error.message, code=error.code, status=403) from error
        return Response(status=status.HTTP_204_NO_CONTENT)


class ToRequestApi(APIView):
    """Staff turn a message into a service request, keeping the link."""

    @extend_schema(request=None, responses={201: s.ServiceRequestRefSerializer, **ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        message = selectors.get_message_for_user(request.user, pk)
        try:
            created = services.message_to_request(actor=request.user, message=message)
        except ApplicationError as error:
            # The call has no body: what refuses it is the message's state (e.g. a conversation
            # about no enterprise or building), a conflict rather than an invalid request.
            if error.status != status.HTTP_400_BAD_REQUEST:
                raise
            raise ApplicationError(error.message, code=error.code, status=409) from error
        return Response(
            {"request": created.pk, "message": _payload(message)}, status=status.HTTP_201_CREATED
        )


class DirectOpenApi(APIView):
    """Open (or find) the direct conversation with these people."""

    @extend_schema(
        request=s.DirectOpenSerializer, responses={200: s.ConversationSerializer, **ERRORS}
    )
    def post(self, request: Request) -> Response:
        data = _valid(s.DirectOpenSerializer, request.data)
        try:
            conversation = services.direct_open(actor=request.user, users=data["users"])
        except ApplicationError as error:
            # Someone the caller shares no conversation with (or a missing id) answers like a
            # missing row: 404, not an oracle of who exists; so does naming only oneself (no one
            # to talk to: the list is at most 19 long, so that is the only `direct_size`).
            if error.code in {"unreachable", "direct_size"}:
                raise Http404 from error
            raise
        return Response(
            s.ConversationSerializer(
                selectors.conversation_list(request.user).get(pk=conversation.pk)
            ).data
        )


class ExportApi(APIView):
    """The audit administrator exports a conversation for an investigation (audited)."""

    @extend_schema(
        parameters=[s.ExportQuerySerializer],
        responses={200: OpenApiResponse(description="the file"), 404: ErrorSerializer},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        conversation = selectors.get_conversation_for_export(request.user, pk)
        query = _valid(s.ExportQuerySerializer, query_data(request))
        content, content_type, filename = services.conversation_export(
            actor=request.user, conversation=conversation, fmt=query["filetype"]
        )
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
