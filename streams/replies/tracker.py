"""The reply tracker's logic, pure: one thread's state (a JSON-able dict) and a mention
(:meth:`ReplyTracker.observe`) or a clock reading (:meth:`ReplyTracker.due`) in, events out.

A user mention expects an answer, and opens an *item* with an SLA, when it comments on a
brand's own post or page, addresses a brand account (``@handle`` in the text, or a reply
to a brand message), or is a question or a complaint about the brand. Other mentions are
remembered too (bounded), without SLA, so a brand that answers one anyway is paired.

Events, one document per item (id = the item's mention id, dated when it opened, so each
overwrites the last): ``pending`` when it opens, ``unanswered`` when its SLA passes,
``brand_reply`` when a brand account answers it, late or not. A brand reply that arrives
before its message waits in the state. Mentions delivered twice change nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from core.schema import Mention
from core.settings import Brand, ReplySettings
from streams.handles import handle_key, own_handles, tagged
from streams.replies.business_hours import add_business_seconds, business_seconds

EXPECTING_INTENTS = frozenset({"question", "complaint"})
TEXT_CHARS = 500  # what an event keeps of the message, for the unanswered queue


def empty_state() -> dict[str, Any]:
    return {"brand_roots": [], "brand_posts": [], "open": {}, "quiet": {}, "closed": {}, "early": {}, "brand_replies": []}


@dataclass
class ReplyTracker:
    """Pairs user mentions with the brand's replies.

    Args:
        settings: SLA hours per intent and the business hours they count in.
        brands: the configured brands, for their own accounts' handles.
        keep_days: how long an unanswered item stays in the state (a reply after that
            is not paired; bounds the state of endless threads).
        keep_ids: how many closed item ids and reply ids a thread remembers, to ignore
            repeated deliveries.
    """

    settings: ReplySettings
    brands: list[Brand]
    keep_days: float = 30.0
    keep_ids: int = 200

    def __post_init__(self) -> None:
        self._handles = own_handles(self.brands)

    # -- mentions ---------------------------------------------------------------------

    def observe(self, state: dict[str, Any], mention: Mention) -> list[dict[str, Any]]:
        """Update ``state`` (in place) with ``mention``; return the events it causes."""
        if mention.author_is_brand:
            return self._brand_message(state, mention)
        return self._user_message(state, mention)

    def _brand_message(self, state: dict[str, Any], reply: Mention) -> list[dict[str, Any]]:
        if reply.id in state["brand_replies"]:  # delivered again
            closed = next((item_id for item_id, item in state["closed"].items() if item.get("reply_id") == reply.id), None)
            return self._again(state, closed) if closed else []
        _remember(state["brand_replies"], reply.id, self.keep_ids)
        if reply.parent_id is None or _brand_post(state, reply.parent_id):
            if reply.parent_id is None:
                # A post of its own: kept apart from its replies, which are many on a busy
                # post and would push the post itself out of what the thread remembers
                # (guarded by tests/streams/replies/test_tracker.py::
                # test_a_busy_brand_post_stays_the_brands_after_hundreds_of_its_replies).
                _remember(state.setdefault("brand_roots", []), reply.id, self.keep_ids)
            # Answering "in the thread" without naming whom: the oldest open item before it.
            item_id = _oldest_open_before(state, reply.published_at)
            return self._close(state, item_id, reply) if item_id else []
        _remember(state["brand_posts"], reply.id, self.keep_ids)
        if reply.parent_id in state["open"] or reply.parent_id in state["quiet"]:
            return self._close(state, reply.parent_id, reply)
        answered = state["closed"].get(reply.parent_id)
        if answered is not None:
            # A second answer: only an earlier one (delivered out of order) changes the figures.
            if reply.published_at.isoformat() < answered["replied_at"]:
                state["open"][reply.parent_id] = state["closed"].pop(reply.parent_id)
                return self._close(state, reply.parent_id, reply)
            return []
        waiting = state["early"].get(reply.parent_id)
        if reply.parent_id not in state["closed"] and (waiting is None or waiting["replied_at"] > reply.published_at.isoformat()):
            # The reply came first (another partition, a late feed): keep the first reply for its parent.
            state["early"][reply.parent_id] = {"reply_id": reply.id, "replied_at": reply.published_at.isoformat(),
                                               "brand": self._reply_brand(reply)}
        return []

    def _user_message(self, state: dict[str, Any], mention: Mention) -> list[dict[str, Any]]:
        known = mention.id in state["open"] or mention.id in state["quiet"] or mention.id in state["closed"]
        if known:
            return self._again(state, mention.id)
        brand = self._addressed_brand(mention) or mention.brand
        expects = brand is not None and self._expects_answer(state, mention)
        item = self._open(mention, brand, with_sla=expects)
        events = []
        if expects:
            state["open"][mention.id] = item
            events.append(self._event("pending", item, mention.id))
        else:
            # Not owed an answer, but remembered: if the brand answers anyway, that pairs too.
            state["quiet"][mention.id] = item
            for old in list(state["quiet"])[:-self.keep_ids]:
                del state["quiet"][old]
        early = state["early"].pop(mention.id, None)
        if early:
            replied_at = datetime.fromisoformat(early["replied_at"])
            events = self._close_item(state, mention.id, early["reply_id"], replied_at, early.get("brand"))
        return events

    def _again(self, state: dict[str, Any], item_id: str) -> list[dict[str, Any]]:
        """For a message delivered again: the event that says where its item stands now.

        A worker killed after a batch's state reached the changelog, but before the batch's
        events reached ``replies``, sees the batch again on restart with the state already
        changed. Answering ``[]`` would lose those events; the current state's event has the
        same document id, so sending it again is right whether the first one arrived or not.
        """
        if item_id in state["closed"]:
            return [self._event("brand_reply", state["closed"][item_id], item_id)]
        item = state["open"].get(item_id)
        if item is not None:
            return [self._event("unanswered" if item["unanswered_sent"] else "pending", item, item_id)]
        return []

    def _expects_answer(self, state: dict[str, Any], mention: Mention) -> bool:
        on_brand_post = _brand_post(state, mention.parent_id) or _brand_post(state, mention.thread_id)
        return on_brand_post or self._addressed_brand(mention) is not None or mention.intent in EXPECTING_INTENTS

    def _addressed_brand(self, mention: Mention) -> str | None:
        return next((self._handles[tag] for tag in tagged(mention.text[:TEXT_CHARS]) if tag in self._handles), None)

    def _open(self, mention: Mention, brand: str | None, with_sla: bool) -> dict[str, Any]:
        hours = self.settings.sla_hours.get(mention.intent or "other", self.settings.sla_hours.get("other"))
        sla_s = None if hours is None or not with_sla else hours * 3600.0
        due = None if sla_s is None else add_business_seconds(mention.published_at, sla_s, self.settings.business_hours)
        return {
            "brand": brand,
            "platform": mention.platform,
            "thread_id": mention.thread_id,
            "intent": mention.intent or "other",
            "sentiment": mention.sentiment.model_dump() if mention.sentiment else None,
            "author": {"id": mention.author.id, "handle": mention.author.handle, "followers": mention.author.followers},
            "text": mention.text[:TEXT_CHARS],
            "url": mention.url,
            "opened_at": mention.published_at.isoformat(),
            # In UTC like every other time here: has_due compares these strings.
            "due_at": due.astimezone(timezone.utc).isoformat() if due and due.year < 9999 else None,
            "sla_seconds": sla_s,
            "unanswered_sent": False,
        }

    # -- closing and the clock -------------------------------------------------------

    def _close(self, state: dict[str, Any], item_id: str, reply: Mention) -> list[dict[str, Any]]:
        return self._close_item(state, item_id, reply.id, reply.published_at, self._reply_brand(reply))

    def _reply_brand(self, reply: Mention) -> str | None:
        return reply.brand or self._handles.get(handle_key(reply.author.handle or ""))

    def _close_item(self, state: dict[str, Any], item_id: str, reply_id: str, replied_at: datetime,
                    brand: str | None) -> list[dict[str, Any]]:
        item = state["open"].pop(item_id, None) or state["quiet"].pop(item_id)
        item["brand"] = item["brand"] or brand
        opened = datetime.fromisoformat(item["opened_at"])
        item.update(
            reply_id=reply_id,
            replied_at=replied_at.isoformat(),
            response_seconds=max(0.0, (replied_at - opened).total_seconds()),
            business_seconds=business_seconds(opened, replied_at, self.settings.business_hours),
            late=item["due_at"] is not None and replied_at > datetime.fromisoformat(item["due_at"]),
        )
        state["closed"][item_id] = item
        for old in list(state["closed"])[:-self.keep_ids]:
            del state["closed"][old]
        return [self._event("brand_reply", item, item_id)]

    def due(self, state: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
        """``unanswered`` events for items whose SLA passed by ``now``; old items are dropped."""
        events = []
        horizon = now - timedelta(days=self.keep_days)
        for item_id, item in list(state["open"].items()):
            if datetime.fromisoformat(item["opened_at"]) < horizon:
                del state["open"][item_id]  # its unanswered event stands; we stop waiting
                continue
            if item["due_at"] and not item["unanswered_sent"] and datetime.fromisoformat(item["due_at"]) <= now:
                item["unanswered_sent"] = True
                events.append(self._event("unanswered", item, item_id))
        for parent_id, early in list(state["early"].items()):
            if datetime.fromisoformat(early["replied_at"]) < horizon:
                del state["early"][parent_id]
        return events

    def has_due(self, state: dict[str, Any], now: datetime) -> bool:
        """Whether :meth:`due` would change ``state`` (cheap: lets a timer skip quiet threads)."""
        utc_now = now.astimezone(timezone.utc)
        stamp, horizon = utc_now.isoformat(), (utc_now - timedelta(days=self.keep_days)).isoformat()
        return any(
            item["opened_at"] < horizon or (item["due_at"] and not item["unanswered_sent"] and item["due_at"] <= stamp)
            for item in state["open"].values()
        ) or any(early["replied_at"] < horizon for early in state["early"].values())

    def next_due(self, state: dict[str, Any]) -> datetime | None:
        """The first moment :meth:`has_due` can be true (an SLA passing, an item or an
        early reply ageing out); None when the thread waits for nothing. The agent keeps
        it per thread, so its timer visits only threads with something coming due."""
        keep, moments = timedelta(days=self.keep_days), []
        for item in state["open"].values():
            moments.append(datetime.fromisoformat(item["opened_at"]) + keep)
            if item["due_at"] and not item["unanswered_sent"]:
                moments.append(datetime.fromisoformat(item["due_at"]))
        moments += [datetime.fromisoformat(early["replied_at"]) + keep for early in state["early"].values()]
        return min(moments).astimezone(timezone.utc) if moments else None

    @staticmethod
    def _event(kind: str, item: dict[str, Any], item_id: str) -> dict[str, Any]:
        return {
            "id": item_id,
            "kind": kind,
            "event_at": item["opened_at"],
            "mention_id": item_id,
            **{k: item.get(k) for k in ("brand", "platform", "thread_id", "intent", "sentiment", "author", "text", "url",
                                        "opened_at", "due_at", "sla_seconds", "reply_id", "replied_at",
                                        "response_seconds", "business_seconds", "late")},
        }


def _brand_post(state: dict[str, Any], mention_id: str | None) -> bool:
    """Whether the brand wrote ``mention_id``: a post of its own or one of its replies."""
    return mention_id is not None and (mention_id in state.get("brand_roots", ()) or mention_id in state["brand_posts"])


def _remember(ids: list[str], new: str, keep: int) -> None:
    ids.append(new)
    del ids[:-keep]


def _oldest_open_before(state: dict[str, Any], moment: datetime) -> str | None:
    candidates = [(item["opened_at"], item_id) for item_id, item in state["open"].items()
                  if datetime.fromisoformat(item["opened_at"]) <= moment]
    return min(candidates)[1] if candidates else None
