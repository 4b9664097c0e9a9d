"""What the audit log shows people: every action code's Chinese name, the objects' kinds and
the detail fields' labels. Every action code recorded anywhere (``record_action``) must have a
name here (``tests/audit/test_labels.py`` collects them from the code)."""

from volunteer.core.i18n import N_

ACTIONS = {
    # accounts and members
    "create_admin": N_("创建管理员账号"),
    "create_staff": N_("创建工作人员账号"),
    "enable_user": N_("启用账号"),
    "disable_user": N_("停用账号"),
    "approve_member": N_("审核通过党员报到"),
    "reject_member": N_("退回党员报到"),
    "import_members": N_("导入党员"),
    "request_deletion": N_("申请删除个人信息"),
    "anonymise_member": N_("匿名化党员个人信息"),
    "deactivate_member": N_("停用党员"),
    "reactivate_member": N_("重新启用党员"),
    "transfer_member": N_("党员转出到其他社区"),
    "move_member": N_("党员搬家或更换网格、单位"),
    "set_member_branch": N_("编排党员的党组织"),
    "change_member_phone": N_("更换党员登录手机号"),
    "reset_password": N_("重置密码（临时密码）"),
    "reset_password_by_code": N_("凭验证码重设密码"),
    "change_staff_scope": N_("调整工作人员范围（换届）"),
    "hand_over_staff": N_("工作人员交接给继任者（换届）"),
    "import_staff": N_("导入工作人员账号"),
    # organisations
    "create_street": N_("新建街道"),
    "create_community": N_("新建社区"),
    "create_grid": N_("新建网格"),
    "create_unit": N_("新建单位"),
    "create_branch": N_("新建功能型党组织"),
    "rename": N_("重命名"),
    "import_places": N_("导入街道、社区和网格"),
    "import_units": N_("导入单位"),
    "import_branches": N_("导入功能型党组织"),
    "link_unit_community": N_("单位结对社区"),
    "unlink_unit_community": N_("解除单位结对社区"),
    # tasks and hours
    "create_task": N_("创建服务项目"),
    "update_task_series": N_("修改系列服务项目"),
    "cancel_task_series": N_("取消系列服务项目"),
    "confirm_all_claims": N_("按上报时长全部确认"),
    "create_task_series": N_("发布系列服务项目"),
    "publish_task": N_("发布服务项目"),
    "update_task": N_("修改服务项目"),
    "cancel_task": N_("取消服务项目"),
    "remove_claim": N_("移出报名党员"),
    "confirm_claim": N_("确认服务时长"),
    "adjust_claim_hours": N_("调整服务时长"),
    "mark_no_show": N_("标记未到场"),
    "rate_satisfaction": N_("居民满意度评价"),
    # wishes
    "create_wish": N_("登记微心愿"),
    "update_wish": N_("修改微心愿"),
    "publish_wish": N_("发布微心愿"),
    "return_wish": N_("退回微心愿"),
    "claim_wish": N_("认领微心愿"),
    "accept_wish_claim": N_("同意心愿认领"),
    "refuse_wish_claim": N_("拒绝心愿认领"),
    "release_wish": N_("放弃认领微心愿"),
    "attach_wish_photo": N_("上传心愿照片"),
    "fulfil_wish": N_("完成微心愿"),
    "confirm_wish": N_("确认心愿圆梦"),
    # residents' requests
    "submit_request": N_("居民提交点单"),
    "accept_request": N_("网格接单"),
    "reject_request": N_("驳回居民点单"),
    "dispatch_request": N_("社区派单"),
    "take_request": N_("党员接单"),
    "decline_request": N_("党员退回派单"),
    "complete_request": N_("办结居民点单"),
    "convert_request": N_("点单转为服务项目"),
    "rate_request": N_("评价居民点单"),
    # 集结号
    "declare_mobilisation": N_("发布集结号"),
    "assign_mobilisation_post": N_("安排集结号岗位"),
    "close_mobilisation": N_("结束集结号"),
    # reviews and reports
    "commend_member": N_("评为模范志愿者"),
    "withdraw_commendation": N_("撤销评优"),
    "request_report_run": N_("补发报告"),
}

# audit_log.object_type (a table name) → what the object is
OBJECTS = {
    "users": N_("账号"),
    "tasks": N_("服务项目"),
    "claims": N_("报名"),
    "wishes": N_("微心愿"),
    "wish_claims": N_("心愿认领"),
    "service_requests": N_("居民点单"),
    "mobilisations": N_("集结号"),
    "mobilisation_replies": N_("集结号响应"),
    "streets": N_("街道"),
    "communities": N_("社区"),
    "grids": N_("网格"),
    "units": N_("单位"),
    "branches": N_("功能型党组织"),
    "commendations": N_("评优"),
    "deletion_requests": N_("删除申请"),
    "report_requests": N_("补发请求"),
    "": N_("无"),
}

# detail keys → their label; keys not listed are shown with their own name
DETAILS = {
    "name": N_("名称"), "old": N_("原名称"), "title": N_("标题"), "role": N_("角色"),
    "reason": N_("原因"), "kind": N_("类别"), "category": N_("类别"), "status": N_("状态"),
    "state": N_("原状态"), "period": N_("期间"), "value": N_("价值（元）"),
    "slots": N_("名额"), "count": N_("数量"), "series_key": N_("系列"),
    "minutes": N_("确认时长（分钟）"), "self_minutes": N_("自报时长（分钟）"),
    "quality": N_("服务质量"), "satisfaction": N_("满意度"), "rating": N_("评分"),
    "member_id": N_("党员"), "task_id": N_("服务项目"), "community_id": N_("社区"),
    "communities": N_("社区数"), "grids": N_("网格数"), "members": N_("党员数"),
    "reported": N_("已报到"), "post": N_("岗位"), "shift": N_("班次"),
    "rows": N_("行数"), "created": N_("新增"), "errors": N_("错误行"),
    "by_resident": N_("居民本人"), "deletion_request_id": N_("删除申请"),
}
# detail keys whose value is an id of that table (shown by name, with a link)
DETAIL_OBJECTS = {"member_id": "users", "task_id": "tasks", "community_id": "communities",
                  "deletion_request_id": "deletion_requests"}


def action_label(code: str) -> str:
    return ACTIONS.get(code, code)


def object_label(table: str) -> str:
    return OBJECTS.get(table, table)
