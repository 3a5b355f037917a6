"""The operating guides (操作指南): what each role does, step by step, with screenshots.

A guide is data: each step says what to do, the page it happens on (a URL name, opened as the
guide's demo persona) and the screenshot that shows it. ``python manage.py guide_screenshots``
takes every screenshot from the demo district; a test checks that every page a guide links to
exists and answers the persona. Adding a guide is one entry in :data:`guides`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from core.registry import Registry

SCREENS = Path(__file__).resolve().parent / "static" / "guides" / "screens"
ITEM = "JB-SCJG-XK-0001"  # the demo's food business licence: every guide's example item


@dataclass(frozen=True)
class Step:
    title: str
    text: str
    page: str | None = None  # URL name of the page the step happens on
    args: tuple = ()
    shot: str | None = None  # screenshot file name (without .png) under static/guides/screens/
    as_visitor: bool = False  # the page is seen logged out (the login page)

    @property
    def shot_exists(self) -> bool:
        return self.shot is not None and (SCREENS / f"{self.shot}.png").exists()


@dataclass(frozen=True)
class Guide:
    key: str
    title: str
    roles: tuple[str, ...]  # who it is for (accounts.models.Role values)
    persona: str  # the demo account the screenshots and the link test use
    intro: str
    steps: list[Step] = field(default_factory=list)


guides: Registry[Guide] = Registry("操作指南")

FIRST_LOGIN = Step("首次登录", "用系统管理员发放的初始登录信息单上的用户名和初始密码登录。系统会先要求设置自己的新密码"
                              "（至少8位，不能全是数字，不能与用户名相近）；设置后进入工作台。", "accounts:login",
                   shot="staff-login", as_visitor=True)


def _add(guide: Guide) -> None:
    guides.register(guide.key, guide)


_add(Guide("applicant", "申请人（企业和群众）", ("applicant",), "zhangsan",
           "在网上办事大厅查阅办事指南、在线申请、查询进度和投诉。无需登录即可浏览目录和指南；申请、查询本人办件须登录。", [
               Step("找到事项", "在网上办事大厅按部门或服务主题浏览，或输入关键词搜索事项。", "runtime:hall",
                    shot="applicant-hall"),
               Step("阅读办事指南", "打开事项，阅读设定依据、申请条件、申请材料、办理流程图和承诺时限；可下载空白申请表。",
                    "runtime:item-guide", (ITEM,), "applicant-guide"),
               Step("在线申请", "点击“在线申请”，填写申请表并上传材料。申请人名称、证件号码和电话已按账户预先填好；填写内容会自动保存为草稿，"
                    "提交时如有错误，已上传的材料会保留，按提示修改后再提交，提交后获得办件编号。",
                    "runtime:apply", (ITEM,), "applicant-apply"),
               Step("查询进度", "用办件编号查询办理进度；需要补正时按告知的内容和期限补正后重新提交。作出决定前可在办件页面撤回申请（须说明原因）。", "runtime:progress",
                    shot="applicant-progress"),
               Step("投诉与评价", "对办理有意见的，可以向效能办投诉，并对办结的办件评价。", "supervision:complaints_mine"),
           ]))

_add(Guide("clerk", "窗口受理员", ("window_clerk",), "clerk",
           "在服务窗口接收纸质申请，当场录入系统、出具收件凭证，五个工作日内一次性告知补正或受理。", [
               FIRST_LOGIN,
               Step("工作台", "登录后进入工作台：“待办”按期限排列，列出剩余工作日，电子监察已发出预警、黄牌或红牌的办件标出颜色；“已办”“全部可见”可按办件编号、申请人、事项、状态和收件日期查询。",
                    "runtime:workbench", shot="clerk-workbench"),
               Step("窗口收件", "点击“窗口收件”，选择申请人要办理的事项。", "runtime:intake", shot="clerk-intake"),
               Step("录入申请", "录入申请人身份信息和申请表，勾选已收材料，提交后打印收件凭证交给申请人。",
                    "runtime:intake-item", (ITEM,), "clerk-intake-item"),
               Step("补正或受理", "在待办中打开办件：材料不全的，一次性告知需补正的全部材料；齐全的，点击“受理”，"
                                "系统出具受理通知书并开始计算承诺时限。"),
           ]))

_add(Guide("handler", "承办人", ("handler",), "handler",
           "审查材料、现场核查，签署承办意见后送审核；超过环节期限将收到预警和黄牌、红牌。", [
               FIRST_LOGIN,
               Step("待办事项", "工作台列出分给您所在科室的待办，最急的在前。", "runtime:workbench", shot="handler-workbench"),
               Step("办理办件", "打开办件，查看申请表、材料、办理记录和时限；填写承办意见后选择“通过”或“退回”。"
                              "需要听证、检测等特殊程序的，登记特殊程序（不计入时限）。"),
               Step("监察通知与督办", "电子监察的预警、黄牌、红牌和效能办的督办单在这里，回复督办须写明办理情况。",
                    "supervision:inbox", shot="handler-inbox"),
           ]))

_add(Guide("chief", "科室负责人", ("section_chief",), "chief",
           "审核承办人的意见，把关后送分管领导或退回重办；关注本科室的预警。", [
               FIRST_LOGIN,
               Step("待审核办件", "工作台列出送到本科室审核的办件。", "runtime:workbench", shot="chief-workbench"),
               Step("审核", "打开办件，阅读承办意见和材料，签署审核意见：通过送下一环节，或退回到指定的前一环节并说明理由。"),
               Step("本科室的预警", "本科室办件的预警和督办在“监察通知与督办”中。", "supervision:inbox"),
           ]))

_add(Guide("leader", "分管领导", ("leader",), "leader",
           "批准或不予批准，签发决定；掌握本部门办件的时限情况。", [
               FIRST_LOGIN,
               Step("待批准办件", "工作台列出送到您批准的办件。", "runtime:workbench", shot="leader-workbench"),
               Step("批准", "打开办件，阅读各环节意见，签署批准意见。批准后由承办科室制证、办结和送达。"),
               Step("监察通知与督办", "本部门的红牌、督办单会通知您。", "supervision:inbox", shot="leader-inbox"),
           ]))

_add(Guide("editor", "部门事项编辑", ("item_editor",), "editor",
           "在事项设计器中维护本部门事项的公开要素、材料、表单、流程和时限，提交法制办审核后发布。", [
               FIRST_LOGIN,
               Step("事项列表", "进入“事项设计器”，列出本部门的事项及其状态。", "designer:items", shot="editor-items"),
               Step("编辑事项", "打开事项，逐页编辑十五项公开要素、申请材料、申请表单（可实时预览）、办理流程和监察规则。",
                    "designer:item", (ITEM,), "editor-item"),
               Step("办理流程", "在流程页面调整环节、时限和退回路径，上方的流程图随之更新。", "designer:item-workflow", (ITEM,),
                    "editor-workflow"),
               Step("提交审核", "编辑完成后点击“提交审核”。法制办审核通过并发布后，新版本才对新的申请生效；办理中的办件不受影响。"),
           ]))

_add(Guide("legal", "法制办审核员", ("legal_reviewer",), "legal",
           "审核各部门提交的事项，发布或退回；维护目录、证照类型和服务主题；向市效能办报送备案材料。", [
               FIRST_LOGIN,
               Step("审核队列", "审核队列列出各部门提交审核的事项；打开事项查看与现行版本的差异，审核通过并发布，或退回修改。",
                    "designer:review-queue", shot="legal-review"),
               Step("目录导入导出", "用 Excel 表格批量导出、修改和导入事项目录；先试导入，确认后再导入。", "designer:catalogue",
                    shot="legal-catalogue"),
               Step("报市效能办备案", "下载全区审批项目统计表、单位组织机构代码一览表、审批项目明细和各事项办理流程图（SVG 和 PDF）。",
                    "designer:returns", shot="legal-returns"),
           ]))

_add(Guide("supervisor", "效能办监察员", ("supervisor",), "supervisor",
           "实时监察全区办件的时限，发出督办，受理投诉，考核各部门绩效，与市电子监察系统交换数据。", [
               FIRST_LOGIN,
               Step("监察首页", "首页显示全区预警、黄牌、红牌和异常，以及各部门办件情况图表。", "supervision:dashboard",
                    shot="supervisor-dashboard"),
               Step("投诉处理", "登记、分派和答复投诉，申请人可评价答复。", "supervision:complaints", shot="supervisor-complaints"),
               Step("绩效考核", "按部门和月份查看绩效指标与得分，可导出。", "supervision:performance", shot="supervisor-performance"),
           ]))

_add(Guide("archivist", "档案管理员", ("archivist",), "archivist",
           "管理办结办件的电子档案：办件送达、不予受理或撤回后自动生成归档包，可查找、下载，并导出给档案系统。", [
               FIRST_LOGIN,
               Step("归档包", "按办件编号、事项或申请人查找归档包，按保管期限筛选，下载压缩包。每个归档包含全部文书、材料、"
                             "表单与决定数据、办理意见、带哈希链的办件日志和归档清单。", "archives:packages"),
               Step("导出与校验", "由系统管理员在服务器上运行 python manage.py archive_export --since 日期 -o 目录 导出，"
                              "python manage.py archive_verify 文件 离线校验，任何文件或日志被改动、缺失或多出都会指明。"),
           ]))

_add(Guide("admin", "系统管理员", ("system_admin",), "admin",
           "维护单位、窗口、工作人员账户和角色、工作日历；上线时用表格批量导入单位和工作人员并发放初始密码。", [
               FIRST_LOGIN,
               Step("批量导入", "先导入单位，再导入工作人员。", "accounts:imports", shot="admin-imports"),
               Step("导入工作人员", "下载模板，按说明填写部门、科室、窗口和角色后上传。试导入逐行列出将新建或修改的内容；"
                                  "有任何错误时整个表格不导入，并指出错误所在的行和列。确认导入后下载初始密码单（PDF），"
                                  "打印后当面发放。", "accounts:sheet-import", ("staff",), "admin-import-staff"),
               Step("系统管理", "在系统管理中维护窗口、工作日历，查看和修改单个账户及其角色的历史。", "admin:index",
                    shot="admin-admin"),
           ]))


def guides_for(roles: set[str]) -> list[Guide]:
    """The guides for these roles first, then the others."""
    every = [guides.get(key) for key in guides]
    return sorted(every, key=lambda g: not (set(g.roles) & roles))


def shots() -> dict[str, tuple[Guide, Step]]:
    """Every screenshot by name, with the guide and step that show it (a shared step once)."""
    out: dict[str, tuple[Guide, Step]] = {}
    for key in guides:
        guide = guides.get(key)
        for step in guide.steps:
            if step.shot and step.shot not in out:
                out[step.shot] = (guide, step)
    return out


TOUR = [
    "工作台的“待办”按期限排列，列出剩余工作日，预警、黄牌、红牌的办件标出颜色；“已办”“全部可见”可以查询办件。",
    "点击办件编号打开办件，查看申请表、材料、办理记录和时限，签署意见后选择下一步。",
    "“监察通知与督办”收取电子监察的预警和效能办的督办单。",
    "页面顶部的“操作指南”随时可查看您所在岗位的详细步骤。",
]
