"""`tcpl agencies import` (the communes of a province, or a CSV list) and `tcpl agencies list`."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli.common import settings_or_exit, with_bot
from handlers.membership import ended_on
from handlers.reports import parse_day
from knowledge.loader import Plans
from knowledge.schema import AgencyLevel
from knowledge.text import fold
from storage.records import AgencyRecord

agencies_app = typer.Typer(no_args_is_help=True, help="Agencies: import the communes of a province, list.")

# The new commune-level units operate from 01/07/2025 (NQ 202/2025/QH15; see shared/reference).
REFORM_DAY = dt.date(2025, 7, 1)
# CSV columns, in English or Vietnamese without diacritics.
CSV_COLUMNS = {"id": "id", "code": "code", "ma": "code", "name": "name", "ten": "name", "level": "level",
               "cap": "level", "started_on": "started_on", "tu_ngay": "started_on", "ended_on": "ended_on",
               "den_ngay": "ended_on", "area_code": "area_code", "ma_tinh": "area_code"}


def unit_agency_id(code: str) -> str:
    """Return the stable agency id of an administrative unit: its People's Committee, by official code."""
    return f"ubnd-{code}"


def committee_name(unit_name: str) -> str:
    """Return the People's Committee of a unit: "Phường Tân Lộc" → "UBND phường Tân Lộc"."""
    return f"UBND {unit_name[:1].lower()}{unit_name[1:]}"


def _bare(name: str) -> str:
    folded = fold(name).strip()
    for prefix in ("thanh pho ", "tinh ", "tp. ", "tp "):
        folded = folded.removeprefix(prefix)
    return " ".join(folded.split())


def province_units(which: str) -> tuple[str, list[AgencyRecord]]:
    """Return a province's name and its commune-level units from `vietnam-provinces` (the 2025 map)."""
    from vietnam_provinces import Province, Ward

    provinces = list(Province.iter_all())
    wanted = which.strip()
    if wanted.isdigit():
        matches = [p for p in provinces if int(p.code) == int(wanted)]
    else:
        matches = [p for p in provinces if _bare(p.name) == _bare(wanted)]
    if len(matches) != 1:
        from rapidfuzz import process

        near = process.extract(_bare(wanted), {p.name: _bare(p.name) for p in provinces}, limit=3)
        hint = ", ".join(f"{name} (mã {int(next(p for p in provinces if p.name == name).code)})"
                         for _, _, name in near)
        raise ValueError(f"Không tìm thấy tỉnh, thành phố «{which}». Gần nhất: {hint}.")
    province = matches[0]
    area = str(int(province.code))
    units = [AgencyRecord(id=unit_agency_id(str(int(w.code))), name=committee_name(w.name),
                          level=AgencyLevel.COMMUNE.value, source="import", code=str(int(w.code)),
                          area_code=area, started_on=REFORM_DAY)
             for w in Ward.iter_by_province(province.code)]
    return f"{province.name} (mã {area})", sorted(units, key=lambda a: a.name)


def csv_units(path: Path) -> list[AgencyRecord]:
    """Read units from a CSV file (code, name[, level, started_on, ended_on, area_code, id]); all errors."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: không đọc được tệp ({exc}).") from exc
    reader = csv.DictReader(text.splitlines())
    headers = {h: CSV_COLUMNS.get(fold(h or "").strip().replace(" ", "_")) for h in reader.fieldnames or []}
    problems = [f"{path}:1: cột «{h}» không có trong mẫu (code, name, level, started_on, ended_on, "
                "area_code, id)" for h, known in headers.items() if known is None]
    if not {"code", "name"} <= set(headers.values()):
        problems.append(f"{path}:1: cần ít nhất hai cột code (mã) và name (tên)")
    units: list[AgencyRecord] = []
    seen: set[str] = set()
    for line, raw in enumerate(reader, start=2):
        row = {headers[k]: (v or "").strip() for k, v in raw.items() if k in headers and headers[k]}
        values: dict[str, Any] = {}
        for key in ("started_on", "ended_on"):
            if row.get(key):
                values[key] = parse_day(row[key])
                if values[key] is None:
                    problems.append(f"{path}:{line}: {key}: ngày «{row[key]}» không hợp lệ (dd/mm/yyyy)")
        level = row.get("level") or AgencyLevel.COMMUNE.value
        if level not in {lv.value for lv in AgencyLevel}:
            problems.append(f"{path}:{line}: level: «{level}» không hợp lệ (commune, province, …)")
        code, name = row.get("code", ""), row.get("name", "")
        if not code.isalnum() or not name:
            problems.append(f"{path}:{line}: cần mã (chữ, số) và tên")
            continue
        agency_id = row.get("id") or unit_agency_id(code.lower())
        if agency_id in seen:
            problems.append(f"{path}:{line}: mã «{agency_id}» lặp lại")
        seen.add(agency_id)
        units.append(AgencyRecord(id=agency_id, name=name, level=level, source="import", code=code,
                                  area_code=row.get("area_code") or None, **values))
    if problems:
        raise ValueError("\n".join(problems))
    return units


@agencies_app.command("import")
def agencies_import(
    province: Annotated[str | None, typer.Option("--province", help='Name or code, e.g. "Cần Thơ" or 92.')]
    = None,
    csv_file: Annotated[Path | None, typer.Option("--csv", help="A CSV list of units instead.")] = None,
) -> None:
    """Add the commune-level units of a province (or a CSV list) as agencies; a second run changes nothing."""
    if (province is None) == (csv_file is None):
        typer.echo('Ghi một trong hai: --province "Cần Thơ" hoặc --csv TỆP.', err=True)
        raise typer.Exit(2)
    try:
        if province is not None:
            source, units = province_units(province)
        else:
            assert csv_file is not None
            source, units = str(csv_file), csv_units(csv_file)
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    settings = settings_or_exit()

    async def work(bot, knowledge):  # type: ignore[no-untyped-def]
        try:
            added, changed = await bot.stores.agencies.import_units(units)
        except ValueError as exc:
            return str(exc)
        await bot.reminders.plan_occurrences()
        return added, changed

    result = with_bot(settings, work)
    if isinstance(result, str):
        typer.echo(f"Không nhập được: {result}", err=True)
        raise typer.Exit(1)
    added, changed = result
    typer.echo(f"{source}: {len(units)} đơn vị cấp xã; {added} mới, {changed} cập nhật, "
               f"{len(units) - added - changed} không đổi.")


def _groups(plans: Plans, agency_id: str, level: str) -> list[str]:
    return sorted({g for p in plans for g in p.groups_of(agency_id, level)})


@agencies_app.command("list")
def agencies_list(as_json: Annotated[bool, typer.Option("--json", help="A JSON array.")] = False) -> None:
    """List every agency: id, name, level, groups and end date (plan agencies and imported communes)."""
    settings = settings_or_exit()

    async def work(bot, knowledge):  # type: ignore[no-untyped-def]
        await bot.reminders.refresh_agencies()
        return knowledge.plans, {a.id: a for a in await bot.stores.agencies.imported()}

    plans, imported = with_bot(settings, work)
    rows = []
    for a in sorted(plans.agencies.values(), key=lambda a: (a.id in imported, a.level.value, a.name)):
        record = imported.get(a.id)
        end = ended_on(plans, a.id)  # the Department never ends with its plans
        rows.append({"id": a.id, "name": a.name, "level": a.level.value, "group": a.group,
                     "groups": _groups(plans, a.id, a.level.value),
                     "source": "import" if record else "plan", "code": record.code if record else None,
                     "started_on": a.started_on.isoformat() if a.started_on else None,
                     "ended_on": end.isoformat() if end else None})
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for r in rows:
        ended = f"  (kết thúc {dt.date.fromisoformat(r['ended_on']):%d/%m/%Y})" if r["ended_on"] else ""
        groups = f"  [nhóm: {', '.join(r['groups'])}]" if r["groups"] else ""
        typer.echo(f"{r['id']:<24} {r['level']:<9} {r['name']}{groups}{ended}")
    typer.echo(f"{len(rows)} cơ quan.")
