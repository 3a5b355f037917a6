"""The API documentation in Chinese (drf-spectacular): every operation gets a tag by area and a
summary, so /api/docs/ reads in the language of its users.

A view's own ``extend_schema(summary=…)`` wins; the rest come from :data:`SUMMARIES`, keyed by
operation id. A test fails when an operation has no Chinese summary, so a new endpoint is
described when it is added.
"""

from __future__ import annotations

DESCRIPTION = (
    "区人民政府网上审批及电子监察平台的接口：申请人网上申请与进度查询，窗口收件，工作人员办理待办，"
    "事项设计与法制办审核，规则试算，工作日历，证照库，以及电子监察和入站数据交换。"
    "除进度查询和事项目录外均须登录（会话或令牌）；出错时统一返回 {\"code\", \"message\", \"details\"}，"
    "details 按字段路径列出每个问题。"
)

# (path prefix after /api/v1/, tag): the first prefix that matches names the operation's area.
TAGS = [
    ("cases", "办件"), ("intake", "窗口收件"), ("tasks", "待办与办理"), ("extensions", "待办与办理"),
    ("progress", "进度查询"), ("catalogue", "事项目录"), ("certificates", "证照库"), ("results", "审批结果公示"),
    ("designer", "事项设计与审核"), ("rules", "规则"), ("workdays", "工作日历"),
    ("supervision", "电子监察"), ("exchange", "数据交换"),
    ("applicants", "申请人与组织机构"), ("departments", "申请人与组织机构"), ("windows", "申请人与组织机构"),
    ("me", "申请人与组织机构"),
]

SUMMARIES = {
    "v1_applicants_list": "申请人列表",
    "v1_applicants_create": "登记申请人",
    "v1_cases_list": "办件列表",
    "v1_cases_create": "提交申请",
    "v1_cases_retrieve": "办件详情",
    "v1_cases_deliver_create": "送达",
    "v1_cases_documents_retrieve": "办件的文书",
    "v1_cases_documents_pdf_retrieve": "下载文书（PDF）",
    "v1_cases_end_special_procedure_create": "结束特别程序",
    "v1_cases_log_retrieve": "办件日志",
    "v1_cases_materials_retrieve": "办件的申请材料",
    "v1_cases_materials_file_retrieve": "下载申请材料文件",
    "v1_cases_resubmit_create": "补正后重新提交",
    "v1_cases_withdraw_create": "撤回申请（须说明原因）",
    "v1_catalogue_list": "查找事项目录",
    "v1_catalogue_retrieve": "事项的办事指南",
    "v1_catalogue_themes_list": "服务主题",
    "v1_certificates_list": "证照列表",
    "v1_certificates_retrieve": "证照详情",
    "v1_results_list": "审批结果公示（自然人姓名和证件号码已遮蔽）",
    "v1_departments_list": "单位列表",
    "v1_departments_create": "新建单位",
    "v1_departments_retrieve": "单位详情",
    "v1_departments_update": "修改单位",
    "v1_departments_partial_update": "修改单位（部分字段）",
    "v1_designer_bundles_create": "导入交换包并发布",
    "v1_designer_catalogue_retrieve": "导出事项目录",
    "v1_designer_catalogue_import_create": "导入事项目录",
    "v1_designer_certificate_types_list": "证照类型列表",
    "v1_designer_certificate_types_retrieve": "证照类型详情",
    "v1_designer_items_list": "审批事项列表",
    "v1_designer_items_create": "新建审批事项",
    "v1_designer_items_retrieve": "审批事项详情",
    "v1_designer_items_bundle_retrieve": "导出现行版本的交换包",
    "v1_designer_items_definition_update": "替换事项的工作副本",
    "v1_designer_items_publish_create": "审核通过并发布",
    "v1_designer_items_retire_create": "停用事项",
    "v1_designer_items_reviews_list": "审核记录",
    "v1_designer_items_send_back_create": "退回修改",
    "v1_designer_items_submit_create": "提交法制办审核",
    "v1_designer_items_versions_list": "已发布版本列表",
    "v1_designer_items_versions_retrieve": "已发布版本详情",
    "v1_designer_review_queue_list": "待审核事项",
    "v1_designer_supervision_defaults_retrieve": "全区默认监察规则",
    "v1_designer_supervision_defaults_update": "修改全区默认监察规则",
    "v1_designer_supervision_test_run_create": "试运行监察规则",
    "v1_designer_validate_create": "校验事项定义（不保存）",
    "v1_extensions_decide_create": "审批延期申请",
    "v1_intake_create": "窗口收件",
    "v1_progress_retrieve": "办件进度查询",
    "v1_tasks_list": "我的待办",
    "v1_tasks_retrieve": "待办详情",
    "v1_tasks_act_create": "办理待办（通过、退回、补正告知等）",
    "v1_windows_list": "服务窗口列表",
    "v1_windows_retrieve": "服务窗口详情",
}


def _tag(path: str) -> str:
    rest = path.removeprefix("/api/v1/")
    for prefix, tag in TAGS:
        if rest == prefix or rest.startswith(prefix + "/"):
            return tag
    return "其他"


def chinese_operations(result, generator, request, public):
    """drf-spectacular postprocessing hook: Chinese tags and summaries for every operation."""
    used = set()
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            tag = _tag(path)
            operation["tags"] = [tag]
            used.add(tag)
            if not operation.get("summary") and operation.get("operationId") in SUMMARIES:
                operation["summary"] = SUMMARIES[operation["operationId"]]
    result["tags"] = [{"name": tag} for tag in dict.fromkeys(tag for _, tag in TAGS) if tag in used]
    return result
