"""Every line the product says that is not a check: the command line, the buttons, the
worksheet functions, the one-line refusals (errors). Ukrainian first, English second."""

from __future__ import annotations

__all__ = ["TEXTS"]

TEXTS: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- steps (status bar)
    "step_read": ("читання таблиць…", "reading tables…"),
    "step_write": ("запис результатів…", "writing results…"),
    "step_costing": ("вартість послуг…", "unit costs…"),
    "step_execution": ("виконання бюджету…", "budget execution…"),
    "step_funding": ("фінансування…", "funding…"),
    "step_request": ("бюджетні запити…", "budget requests…"),
    "step_pdf": ("друк PDF…", "printing PDFs…"),
    "step_send": ("надсилання…", "sending…"),
    "step_refresh": ("оновлення…", "refreshing…"),
    "step_check": ("перевірка…", "checking…"),
    "step_new_template": ("новий шаблон…", "new template…"),
    "step_import_actuals": ("імпорт виконання…", "importing actuals…"),
    "part_costing": ("вартість послуг", "unit costs"),
    "part_execution": ("аналіз виконання", "execution analysis"),
    "part_funding": ("фінансування заходів", "funding of activities"),
    # ---------------------------------------------------------------- refresh and check
    "refreshed": ("оновлено {path}{only}", "refreshed {path}{only}"),
    "checked": ("перевірено {path}", "checked {path}"),
    "table_rows": ("  {table}: рядків {rows}", "  {table}: {rows} rows"),
    "checks_count": ("  tblChecks: помилок {errors}, попереджень {warnings}",
                     "  tblChecks: {errors} errors, {warnings} warnings"),
    "check_line": ("    {severity}: {message}", "    {severity}: {message}"),
    "checks_more": ("    … ще {count} у tblChecks", "    … {count} more in tblChecks"),
    # ---------------------------------------------------------------- new, workbooks, add-in
    "created": ("створено {path}", "created {path}"),
    "created_sample": ("створено {path} (зразок «{sample}»)",
                       "created {path} (sample '{sample}')"),
    "new_needs_xlsx": ("{name}: koshtorys new створює книгу .xlsx (книгу .xlsm з макросами "
                       "збережіть в Excel: Файл → Зберегти як)",
                       "{name}: koshtorys new makes an .xlsx workbook (an .xlsm needs Excel "
                       "to add its macros: save it as .xlsm there)"),
    "exists": ("{path} уже існує (--force, щоб замінити)",
               "{path} already exists (use --force to replace it)"),
    "built": ("зібрано {path}", "built {path}"),
    "installed": ("встановлено {path}", "installed {path}"),
    # ---------------------------------------------------------------- import
    "imported": ("імпортовано місяці {months}: змінено клітинок {cells}, додано рядків {rows}",
                 "imported months {months}: {cells} cells updated, {rows} rows added"),
    "import_skipped": ("  пропущено {line}", "  skipped {line}"),
    # ---------------------------------------------------------------- documents
    "wrote_requests": ("записано бюджетних запитів: {count} у {outdir}",
                       "wrote {count} request(s) into {outdir}"),
    "note_errors": ("  увага: у книзі помилок {count}; рядки з помилками не враховано "
                    "(koshtorys check показує їх)",
                    "  note: the workbook has {count} error check(s); rows with errors are "
                    "left out (koshtorys check shows them)"),
    "no_soffice": ("  LibreOffice (soffice) не встановлено: PDF не створено",
                   "  LibreOffice (soffice) is not installed: no PDF was made"),
    "pdf_failed": ("  PDF не вдалося: {error}", "  PDF failed: {error}"),
    "wrote_pdfs": ("  записано PDF: {count}", "  wrote {count} PDF(s)"),
    "no_programs": ("{book}: жодна програма не має сум для запиту (tblCostByKekv, tblPlan і "
                    "tblVariance порожні)",
                    "{book}: no program has amounts to request (tblCostByKekv, tblPlan and "
                    "tblVariance are empty)"),
    "no_plan_year": ("{book}: у tblSettings не задано plan_year (документи складаються на "
                     "плановий рік)",
                     "{book}: plan_year is not set in tblSettings (the documents are made "
                     "for it)"),
    # ---------------------------------------------------------------- send
    "mail_not_set": ("задайте mail_to, mail_from і smtp_host у tblSettings (або --draft DIR)",
                     "set mail_to, mail_from and smtp_host in tblSettings (or use --draft DIR)"),
    "skipped_other": ("пропущено {file}: це запит установи {institution}",
                      "skipped {file}: it is the request of {institution}"),
    "draft_written": ("чернетка: {path}", "draft: {path}"),
    "nothing_sent": ("нічого не надіслано: {error}; файли залишилися в {outdir}",
                     "nothing was sent: {error}; the files stay in {outdir}"),
    # ---------------------------------------------------------------- consolidation
    "consolidated": ("зведено книг: {done} з {total} у {path}",
                     "consolidated {done} of {total} workbooks into {path}"),
    "not_included": ("  не враховано: {file} — {reason}", "  not included: {file} — {reason}"),
    "not_a_folder": ("{path} — не папка", "{path} is not a folder"),
    "no_workbooks": ("у {path} немає книг .xlsx", "no .xlsx workbooks in {path}"),
    # ---------------------------------------------------------------- demo
    "demo_sample": ("▸ {path}", "▸ {path}"),
    "demo_costs": ("   послуг {services}, витрати установи {total} грн",
                   "   {services} services, institution total {total} UAH"),
    "demo_execution": ("   виконання по місяць {month}: {pct}% плану періоду",
                       "   execution to month {month}: {pct}% of the period plan"),
    "demo_funding": ("   фінансування {first}–{last}: потреба {need}, дефіцит {gap} грн",
                     "   funding {first}–{last}: need {need}, gap {gap} UAH"),
    "demo_checks": ("   перевірка: помилок {errors}, попереджень {warnings}",
                    "   checks: {errors} errors, {warnings} warnings"),
    "demo_requests": ("   бюджетні запити:", "   budget requests:"),
    "demo_drafts": ("   чернеток листів: {count} у {path}", "   {count} mail draft(s) in {path}"),
    "demo_done": ("Готово за {seconds} с. Книги — у {inst}, документи і чернетки — у {outdir}, "
                  "зведення — {cons}.",
                  "Done in {seconds} s. Workbooks are in {inst}, documents and drafts in "
                  "{outdir}, the consolidation is {cons}."),
    # ---------------------------------------------------------------- refusals (exit 2)
    "no_settings_table": ("у книзі немає таблиці tblSettings: це книга koshtorys? "
                          "(koshtorys new PATH створює її)",
                          "the workbook has no table tblSettings: is it a koshtorys workbook? "
                          "(koshtorys new PATH creates one)"),
    "part_needs_table": ("«{part}» не можна розрахувати: у книзі немає таблиці {table}",
                         "'{part}' cannot be computed: the workbook has no table {table}"),
    "no_input_tables": ("у книзі немає жодної повної групи вхідних таблиць (tblServices, "
                        "tblPlan, tblNeeds …)",
                        "the workbook has none of the input tables complete (tblServices, "
                        "tblPlan, tblNeeds …)"),
    "no_table": ("у книзі {book} немає таблиці {table}", "{book} has no table {table}"),
    "no_columns": ("у таблиці {table} немає стовпців {columns}",
                   "the table {table} has no column {columns}"),
    "locked": ("{name} відкрито в Excel або LibreOffice ({lock}); закрийте її і повторіть",
               "{name} is open in Excel or LibreOffice ({lock}); close it and try again"),
    "changed_on_disk": ("{name} змінився на диску після відкриття; повторіть команду",
                        "{name} changed on disk since it was opened; run the command again"),
    "cannot_write_in": ("не вдається записати в {folder}: {reason}",
                        "cannot write in {folder}: {reason}"),
    "cannot_write": ("не вдається записати {name}: {reason}", "cannot write {name}: {reason}"),
    "cannot_create_folder": ("не вдається створити папку {folder}: {reason}",
                             "cannot create the folder {folder}: {reason}"),
    "interrupted": ("перервано; книга або записана повністю, або не змінена",
                    "interrupted; a workbook is either fully written or untouched"),
    "internal": ("внутрішня помилка ({error}); книги замінюються лише цілком, ніколи не "
                 "наполовину; подробиці — у {log}",
                 "internal error ({error}); workbooks are only ever replaced whole, never "
                 "half-written; details in {log}"),
    # ---------------------------------------------------------------- buttons
    "btn_done_errors": ("Готово, але у вхідних даних є помилки: {errors} (попереджень: "
                        "{warnings}). Рядки з помилками не враховано — див. таблицю перевірки "
                        "на аркуші «{sheet}».",
                        "Done, but the inputs have {errors} errors ({warnings} warnings). Rows "
                        "with errors were left out — see the checks on sheet '{sheet}'."),
    "btn_checked": ("Перевірено: помилок {errors}, попереджень {warnings}. Див. аркуш "
                    "«{sheet}».", "Checked: {errors} errors, {warnings} warnings. See sheet "
                    "'{sheet}'."),
    "btn_unsaved": ("Спершу збережіть книгу (Файл → Зберегти як): документи записуються в її "
                    "папку.", "Save the workbook first (File → Save As): the documents are "
                    "written into its folder."),
    "btn_documents_done": ("Документи збережено в папці:\n{outdir}{errors}",
                           "Documents saved in:\n{outdir}{errors}"),
    "btn_input_errors": ("\nЄ помилки у вхідних даних: див. таблицю перевірки.",
                         "\nThe inputs have errors: see the checks."),
    "btn_sent": ("Запити надіслано ({outdir}).", "Requests sent ({outdir})."),
    "btn_drafts": ("SMTP не налаштовано: чернетки листів (.eml) збережено в папці\n{draft}\n"
                   "Відкрийте їх в Outlook і надішліть.",
                   "SMTP is not set up: the drafts (.eml) are in\n{draft}\nOpen them in Outlook "
                   "and send."),
    "btn_send_failed": ("Не всі листи надіслано; файли запитів збережено в {outdir}.",
                        "Not every message was sent; the request files are in {outdir}."),
    "btn_no_dialog": ("Вибір файлу доступний лише в Excel для Windows. На macOS виконайте в "
                      "терміналі: koshtorys {command}",
                      "Choosing a file needs Excel for Windows. On macOS run in a terminal: "
                      "koshtorys {command}"),
    "btn_replace": ("Файл {path} уже існує. Замінити його?", "{path} exists. Replace it?"),
    "btn_imported": ("Імпорт завершено.\n{summary}\nНатисніть «Виконання», щоб оновити аналіз.",
                     "Import finished.\n{summary}\nClick 'Виконання' to update the analysis."),
    "btn_internal": ("Внутрішня помилка koshtorys ({error}). Подробиці — у файлі {log}",
                     "Internal error in koshtorys ({error}). Details in {log}"),
    # ---------------------------------------------------------------- worksheet functions
    "fn_not_2d": ("аргумент {arg}: очікується діапазон таблиці з рядком заголовків "
                  "(наприклад, tblServices[#All])",
                  "argument {arg}: expected a table range with its header row "
                  "(e.g. tblServices[#All])"),
    "fn_ragged": ("аргумент {arg}: рядки різної довжини", "argument {arg}: rows of unequal "
                  "length"),
    "fn_no_column": ("аргумент {arg}: немає стовпця {columns}",
                     "argument {arg}: no column {columns}"),
    "fn_no_rows": ("аргумент {arg}: немає жодного рядка даних", "argument {arg}: no data rows"),
    "fn_input_errors": ("помилок у вхідних даних: {count}; перша: {first}",
                        "{count} input error(s); the first: {first}"),
    "fn_not_number": ("аргумент {arg}: «{value}» — не число",
                      "argument {arg}: '{value}' is not a number"),
    "fn_unknown_code": ("невідомий код {kind} «{value}»", "unknown {kind} code '{value}'"),
    "fn_internal": ("внутрішня помилка: {error}", "internal error: {error}"),
    # --- consolidation (files, kinds of output, statuses)
    "included_with": ("  враховано з застереженням: {file} — {reason}",
                      "  included with a warning: {file} — {reason}"),
    "cons_not_ours": ("не книга програми і не бюджетний запит koshtorys (немає tblSettings чи "
                      "tblRequest)", "neither a koshtorys program workbook nor a budget "
                      "request (no tblSettings or tblRequest)"),
    "cons_no_outputs": ("немає вихідних таблиць (спершу виконайте koshtorys refresh)",
                        "no output tables (run koshtorys refresh first)"),
    "cons_missing": ("немає таблиць: {tables}", "missing tables: {tables}"),
    "cons_no_columns": ("у таблиці {table} немає жодного її стовпця",
                        "table {table} has none of its columns"),
    "cons_no_info": ("у запиті немає таблиці {table} (чий він і на який рік)",
                     "the request has no {table} (whose it is, for which year)"),
    "cons_bad_info": ("{key} = «{value}» не прочитано ({code})",
                      "{key} = '{value}' could not be read ({code})"),
    "cons_row_left_out": ("рядок не враховано: {message}", "row left out: {message}"),
    "cons_rows_more": ("і ще рядків не враховано: {count}", "and {count} more rows left out"),
    "cons_no_xlsm": ("{path}: зведення не має макросів, тож .xlsm (книга з макросами) з нього "
                     "не буде; вкажіть .xlsx або .parquet",
                     "{path}: the consolidation holds no macros, so it cannot be an .xlsm "
                     "(a macro workbook); use .xlsx or .parquet"),
    "cons_out_kind": ("{path}: зведення записується лише в .xlsx або .parquet",
                      "{path}: the consolidation is written only as .xlsx or .parquet"),
    "cons_too_many_rows": ("у {table} {rows} рядків — більше, ніж уміщує аркуш Excel "
                           "({limit} рядків разом із заголовком); запишіть зведення в Parquet: "
                           "--out {path}",
                           "{table} has {rows} rows, more than an Excel sheet holds ({limit} "
                           "rows with the header); write the consolidation as Parquet: "
                           "--out {path}"),
    "cons_duplicate": ("той самий запит (установа, КПКВК, рік і форма), що й {other}: не "
                       "враховано, щоб не порахувати двічі",
                       "the same request (institution, КПКВК, year and form) as {other}: left "
                       "out so as not to count it twice"),
    "cons_kind_program": ("книга програми", "program workbook"),
    "cons_kind_request": ("бюджетний запит", "budget request"),
    "cons_status_ok": ("враховано", "ok"),
    "cons_status_warning": ("із застереженням", "warning"),
    "cons_status_error": ("не враховано", "error"),
    "cons_status_skipped": ("пропущено", "skipped"),
}
