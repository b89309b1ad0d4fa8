"""Checked by `mypy --strict` in `make test` (never run): what each public call resolves to.

A line marked `# type: ignore[...]` must be an error: mypy's warn_unused_ignores fails the
run if it is not, so a misspelt attribute or a wrong argument type stays caught.
"""

import asyncio
from typing import Any, assert_type

from desk_cti_py import AjaxResult, ClickToDial, PageInfo, Response, UserInfo, cti, interaction


async def results() -> None:
    assert_type(await cti.setSoftphoneHeight(300), bool)
    assert_type(await cti.set_softphone_width(300), bool)
    assert_type(await cti.enableClickToDial(), bool)
    assert_type(await cti.disable_click_to_dial(), bool)
    assert_type(await interaction.screenPop("42", "object=case"), bool)
    assert_type(await interaction.searchAndScreenPop("+1 555 0100", "object=customer"), bool)
    assert_type(await interaction.setVisible(True), bool)
    assert_type(await interaction.isVisible(), bool)
    info = await interaction.getPageInfo()
    assert_type(info, PageInfo)
    assert_type(info.objectName, str | None)
    assert_type(info.object_id, str | None)
    user = await interaction.get_user_info()
    assert_type(user, UserInfo)
    assert_type(user.fullName, str | None)
    reply = await interaction.ajax("/api/v2/cases")
    assert_type(reply, AjaxResult)
    assert_type(reply.status, int | None)
    assert_type(reply.statusText, str | None)
    assert_type(interaction.isVisible(), asyncio.Future[bool])


def misspelt(info: PageInfo, user: UserInfo) -> None:
    info.objectNmae  # type: ignore[attr-defined]  # noqa: B018
    user.ful_name  # type: ignore[attr-defined]  # noqa: B018
    cti.setSoftphoneHeight("300")  # type: ignore[arg-type]
    interaction.setVisible(1.5)  # type: ignore[arg-type]


def listeners() -> None:
    def on_dial(response: Response[ClickToDial]) -> None:
        assert_type(response.result, ClickToDial | None)

    def on_focus(response: Response[PageInfo]) -> None:
        if response.result is not None:
            assert_type(response.result.objectId, str | None)

    def on_visible(response: Response[bool]) -> Any:
        return response.result

    cti.onClickToDial(on_dial)
    interaction.onFocus(on_focus)
    interaction.isVisible(on_visible)
    cti.onClickToDial(on_focus)  # type: ignore[arg-type]
