"""Wish fixtures: one community with a secretary, a grid worker and members; wish factories."""

import io
import os
from dataclasses import dataclass
from datetime import timedelta

import pytest
from PIL import Image

from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.wishes import services


@dataclass
class Area:
    community: object
    grid: object
    secretary: object
    worker: object


@pytest.fixture
def area(make_community, make_grid, make_staff):
    community = make_community(name="新西社区")
    grid = make_grid(community=community, name="第一网格")
    return Area(community, grid, make_staff("community_secretary", community),
                make_staff("grid_worker", grid))


@pytest.fixture
def member(make_member, area):
    return make_member(community=area.community, grid=area.grid, name="李党员")


WISH = {"household_kind": "elderly_alone", "beneficiary_name": "张秀英",
        "address": "虹桥北村56幢302室", "phone": "13912345678",
        "content": "想要一台电饭煲", "value": 200}


@pytest.fixture
def make_wish(ctx, area):
    """A wish recorded by the grid worker, moved on to ``status`` through the services; a
    ``claimant``'s claim is accepted by the secretary unless ``accepted=False``."""

    def make(status="published", claimant=None, accepted=True, **fields):
        wish = services.create_wish(area.worker, **{**WISH, **fields})
        if status != "submitted":
            services.publish_wish(area.secretary, wish)
        if claimant is not None:
            services.claim_wish(claimant, wish)
            if accepted:
                services.accept_wish_claim(area.secretary, wish, claimant.id)
        if status == "fulfilled":
            services.fulfil_wish(claimant, wish, "已送到家中")
        db.session.commit()
        return wish

    return make


@pytest.fixture
def age(ctx):
    """Move a wish's publication back in time by ``days``."""

    def shift(wish, days: int):
        wish.published_at = utcnow() - timedelta(days=days)
        db.session.commit()

    return shift


def image_bytes(fmt="PNG", size=(40, 30), exif: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCamera"  # Make
        data[0x8825] = {1: "N", 2: (32.0, 1.0, 0.0)}  # GPS
        image.save(out, fmt, exif=data)
    else:
        image.save(out, fmt)
    return out.getvalue()


def noisy_png(size=(300, 300)) -> bytes:
    """A PNG that does not compress (random pixels)."""
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
