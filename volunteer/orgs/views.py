"""Pages for the district admin: streets, communities, grids, units and branches."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from volunteer.core.decorators import roles_required
from volunteer.core.errors import DomainError
from volunteer.core.forms import arg_int, form_errors, grouped_choices, page_of
from volunteer.core.i18n import N_
from volunteer.extensions import db
from volunteer.orgs import services
from volunteer.orgs.forms import BranchForm, CommunityForm, GridForm, LinkForm, NameForm, UnitForm
from volunteer.orgs.models import UNIT_KINDS, Branch, Community, Grid, Street, Unit

bp = Blueprint("orgs", __name__, url_prefix="/admin")

KINDS = {
    "streets": {"model": Street, "label": N_("街道"), "form": NameForm},
    "communities": {"model": Community, "label": N_("社区"), "form": CommunityForm},
    "grids": {"model": Grid, "label": N_("网格"), "form": GridForm},
    "units": {"model": Unit, "label": N_("单位"), "form": UnitForm},
    "branches": {"model": Branch, "label": N_("功能型党组织"), "form": BranchForm},
}


def _fill_choices(form) -> None:
    if hasattr(form, "street_id"):
        form.street_id.choices = grouped_choices(services.street_picker())
    if hasattr(form, "community_id"):
        form.community_id.choices = grouped_choices(services.community_picker(full_names=True))
    if hasattr(form, "parent_id"):
        community_id = form.community_id.data or arg_int("community_id")
        grids = db.session.scalars(services.list_grids_stmt(community_id)) if community_id else []
        form.parent_id.choices = [("", gettext("（无，普通网格）"))] + [
            (g.id, g.name) for g in grids]


def _create(kind: str, form):
    if kind == "streets":
        return services.create_street(current_user, form.name.data)
    if kind == "communities":
        return services.create_community(current_user, form.name.data, form.street_id.data)
    if kind == "grids":
        return services.create_grid(current_user, form.name.data, form.community_id.data,
                                    form.parent_id.data)
    if kind == "units":
        return services.create_unit(current_user, form.name.data, form.kind.data)
    return services.create_branch(current_user, form.name.data, form.community_id.data,
                                  form.level.data)


def _list_stmt(kind: str):
    q = request.args.get("q") or None
    community_id = arg_int("community_id")
    if kind == "streets":
        return services.list_streets_stmt(q)
    if kind == "communities":
        return services.list_communities_stmt(arg_int("street_id"), q)
    if kind == "grids":
        return services.list_grids_stmt(community_id, q)
    if kind == "units":
        return services.list_units_stmt(q, community_id)
    return services.list_branches_stmt(community_id, q)


@bp.get("/")
@roles_required("district_admin")
def overview():
    return render_template("orgs/overview.html", counts=services.count_orgs(), kinds=KINDS)


@bp.route("/<any(streets, communities, grids, units, branches):kind>", methods=["GET", "POST"])
@roles_required("district_admin")
def list_objects(kind: str):
    spec = KINDS[kind]
    form = spec["form"]()
    _fill_choices(form)
    if form.validate_on_submit():
        with form_errors(form, refusal_field=form.name) as outcome:
            obj = _create(kind, form)
        if outcome.ok:
            db.session.commit()
            flash(f"已新建{spec['label']}：{obj.name}", "success")
            return redirect(url_for("orgs.list_objects", kind=kind))
    return render_template("orgs/list.html", kind=kind, spec=spec, form=form,
                           page=page_of(_list_stmt(kind)), kinds=KINDS, unit_kinds=UNIT_KINDS)


@bp.route("/<any(streets, communities, grids, units, branches):kind>/<int:obj_id>",
          methods=["GET", "POST"])
@roles_required("district_admin")
def edit_object(kind: str, obj_id: int):
    spec = KINDS[kind]
    obj = db.session.get(spec["model"], obj_id) or abort(404)
    form = (UnitForm if kind == "units" else NameForm)(obj=obj)
    link_form = LinkForm(prefix="link")
    link_form.community_id.choices = grouped_choices(services.community_picker(full_names=True))
    if form.validate_on_submit() and request.form.get("action") == "rename":
        try:
            if kind == "units":
                services.update_unit(current_user, obj, form.name.data, form.kind.data)
            else:
                services.rename(current_user, obj, form.name.data)
        except DomainError as error:
            db.session.rollback()
            form.name.errors.append(error.fields.get("name", error.message))
        else:
            db.session.commit()
            flash(N_("已保存"), "success")
            return redirect(url_for("orgs.edit_object", kind=kind, obj_id=obj_id))
    links = services.list_unit_communities(obj) if kind == "units" else []
    return render_template("orgs/edit.html", kind=kind, spec=spec, obj=obj, form=form,
                           link_form=link_form, links=links, kinds=KINDS)


@bp.post("/units/<int:unit_id>/links")
@roles_required("district_admin")
def link_unit(unit_id: int):
    unit = db.session.get(Unit, unit_id) or abort(404)
    community = db.session.get(Community, arg_int("link-community_id", 0, source=request.form))
    if community is None:
        flash(N_("请选择社区"), "danger")
    elif request.form.get("action") == "unlink":
        services.unlink_unit_community(current_user, unit, community)
        db.session.commit()
        flash(f"已解除与{community.name}的共建", "success")
    else:
        services.link_unit_community(current_user, unit, community)
        db.session.commit()
        flash(f"已登记与{community.name}共建", "success")
    return redirect(url_for("orgs.edit_object", kind="units", obj_id=unit.id))
