"""Every line the command line says that is not a check: steps, results, the one-line
refusals (errors). Ukrainian first, English second. The ribbon's and the worksheet
functions' own lines are in :mod:`.excel`; :data:`TEXTS` holds both."""

from __future__ import annotations

from .excel import EXCEL_TEXTS

__all__ = ["TEXTS"]

_LINES: dict[str, tuple[str, str]] = {
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
    "demo_execution": ("   виконання за {month} міс.: {pct} % плану періоду",
                       "   execution, {month} months: {pct}% of the period plan"),
    "demo_funding": ("   фінансування {years}: потреба {need}, дефіцит {gap} грн",
                     "   funding {years}: need {need}, gap {gap} UAH"),
    "demo_checks": ("   перевірка: помилок {errors}, попереджень {warnings}",
                    "   checks: {errors} errors, {warnings} warnings"),
    "demo_requests": ("   бюджетні запити:", "   budget requests:"),
    "demo_drafts": ("   чернеток листів: {count} у {path}", "   {count} mail draft(s) in {path}"),
    "demo_done": ("Готово за {seconds} с. Книги — у {inst}, документи і чернетки — у {outdir}, "
                  "зведення — {cons}.",
                  "Done in {seconds} s. Workbooks are in {inst}, documents and drafts in "
                  "{outdir}, the consolidation is {cons}."),
    # ---------------------------------------------------------------- refusals (exit 2)
    "settings_in_document": ("у книзі немає таблиці tblSettings: це {document} — документ, "
                             "який робить koshtorys, а не книга програми; команди працюють із "
                             "книгою програми установи",
                             "the workbook has no table tblSettings: it is a {document}, a "
                             "document koshtorys makes, not a program workbook; the commands "
                             "work on an institution's program workbook"),
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
    "damaged_workbook": ("{name}: пошкоджена книга (damaged workbook): {detail}",
                         "{name}: damaged workbook: {detail}"),
    "workbook_too_large": ("{name}: книга завелика (workbook too large): {detail}",
                           "{name}: workbook too large: {detail}"),
    "locked": ("{name} відкрито в Excel або LibreOffice ({lock}); закрийте її і повторіть",
               "{name} is open in Excel or LibreOffice ({lock}); close it and try again"),
    "changed_on_disk": ("{name} змінився на диску після відкриття; повторіть команду",
                        "{name} changed on disk since it was opened; run the command again"),
    "cannot_write_in": ("не вдається записати в {folder}: {reason}",
                        "cannot write in {folder}: {reason}"),
    "cannot_write": ("не вдається записати {name}: {reason}", "cannot write {name}: {reason}"),
    "cannot_create_folder": ("не вдається створити папку {folder}: {reason}",
                             "cannot create the folder {folder}: {reason}"),
    # the file itself: what it is not, and why it cannot be opened
    "no_such_file": ("{path}: такого файлу немає", "{path}: no such file"),
    "is_a_folder": ("{path}: це папка, а не книга", "{path}: is a folder, not a workbook"),
    "cannot_read": ("не вдається прочитати {name}: {reason}", "cannot read {name}: {reason}"),
    "unreadable": ("{name}: не вдається прочитати ({reason})",
                   "{name}: cannot be read ({reason})"),
    "not_a_workbook": ("{name} — не книга Excel (.xlsx або .xlsm)",
                       "{name} is not an Excel workbook (.xlsx or .xlsm)"),
    "not_a_workbook_type": ("{name} — не книга Excel ({type})",
                            "{name} is not an Excel workbook ({type})"),
    "damaged_or_not_workbook": ("{name}: пошкоджена книга або не книга ({detail})",
                                "{name}: damaged or not a workbook ({detail})"),
    "password_protected": ("{name} захищено паролем (зашифровано); зніміть пароль в Excel і "
                           "повторіть",
                           "{name} is password-protected (encrypted); remove the password in "
                           "Excel and try again"),
    "encrypted": ("{name} зашифровано; зніміть пароль і повторіть",
                  "{name} is encrypted; remove the password and try again"),
    "old_xls": ("{name} — старий файл Excel 97-2003 (.xls); збережіть його як .xlsx і "
                "повторіть",
                "{name} is an old Excel 97-2003 (.xls) file; save it as .xlsx and try again"),
    "xls_or_password": ("{name} захищено паролем або це старий .xls; збережіть його як .xlsx "
                        "без пароля",
                        "{name} is password-protected or an old .xls; save it as .xlsx "
                        "without a password"),
    "binary_xlsb": ("{name} — двійкова книга (.xlsb); збережіть її як .xlsx і повторіть",
                    "{name} is a binary (.xlsb) workbook; save it as .xlsx and try again"),
    "zip_method": ("{name}: {part} стиснуто методом {method}, якого книги не мають; не "
                   "прочитано",
                   "{name}: {part} is compressed with method {method}, which a workbook "
                   "never uses; not read"),
    "zip_past_limit": ("{name}: {part} розпаковується до {mb} МБ — понад межу; не прочитано",
                       "{name}: {part} unpacks to {mb} MB, past the limit; not read"),
    "zip_entry_damaged": ("пошкоджений запис zip {part}", "damaged zip entry {part}"),
    "over_4gb": ("книга завелика (понад 4 ГБ)", "workbook too large (over 4 GB)"),
    "no_zip64": ("книга завелика для zip-архіву без zip64",
                 "workbook too large for a zip archive without zip64"),
    "no_table_here": ("у книзі немає таблиці {table}", "the workbook has no table {table}"),
    "header_row_hidden": ("у таблиці {table} на аркуші {sheet} приховано рядок заголовків; "
                          "покажіть його (Конструктор таблиць → Рядок заголовків) і повторіть",
                          "table {table} on sheet {sheet} has its header row hidden; show it "
                          "(Table Design → Header Row) and try again"),
    # an output table that cannot grow where it stands
    "grow_table_in_way": ("{table} не може вирости до {rows} рядків: на аркуші {sheet} "
                          "заважає таблиця {other}",
                          "{table} cannot grow to {rows} rows: table {other} is in the way "
                          "on sheet {sheet}"),
    "grow_cell_in_way": ("{table} не може вирости до {rows} рядків: клітинка {cell} під нею "
                         "не порожня; перемістіть її",
                         "{table} cannot grow to {rows} rows: cell {cell} below it is not "
                         "empty; move it away"),
    "grow_merged_in_way": ("{table} не може вирости: заважають об'єднані клітинки {cell}",
                           "{table} cannot grow: merged cells {cell} are in the way"),
    "cannot_rewrite_sheet": ("не вдається переписати аркуш {sheet}",
                             "cannot rewrite sheet {sheet}"),
    # documents
    "no_request3": ("КПКВК {kpkvk}: видатків понад граничний обсяг немає, додаткового запиту "
                    "немає",
                    "КПКВК {kpkvk}: no expenditure above a ceiling, no additional request"),
    "not_a_request": ("{name} — не книга бюджетного запиту koshtorys ({error})",
                      "{name} is not a koshtorys request workbook ({error})"),
    "soffice_missing": ("LibreOffice (soffice) не встановлено: PDF не створити",
                        "LibreOffice (soffice) is not installed: cannot make PDF files"),
    "print_no_file": ("не вдається надрукувати {name}: такого файлу немає",
                      "cannot print {name}: no such file"),
    "soffice_timeout": ("LibreOffice не завершив друк {name} за {seconds} с",
                        "LibreOffice did not finish printing {name} within {seconds} s"),
    "soffice_start": ("не вдається запустити LibreOffice ({soffice}): {error}",
                      "cannot start LibreOffice ({soffice}): {error}"),
    "soffice_no_pdf": ("LibreOffice не створив PDF з {name} ({why})",
                       "LibreOffice made no PDF of {name} ({why})"),
    # the add-in
    "xlwings_vba_unreadable": ("не вдається прочитати VBA xlwings ({path}): {reason}",
                               "cannot read xlwings' VBA ({path}): {reason}"),
    "xlwings_vba_unexpected": ("VBA з xlwings {version} не такий, як очікує koshtorys (немає "
                               "{missing}); перевстановіть xlwings",
                               "the VBA shipped with xlwings {version} is not what koshtorys "
                               "expects (missing {missing}); reinstall xlwings"),
    "addin_install_os": ("надбудови Excel встановлюються лише у Windows і macOS; надбудову "
                         "зібрано як {built}: скопіюйте її до папки XLSTART Excel на тому "
                         "комп'ютері (Windows: %APPDATA%\\Microsoft\\Excel\\XLSTART) і "
                         "виконайте там «koshtorys addin install», щоб задати інтерпретатор "
                         "Python",
                         "Excel add-ins install on Windows and macOS only; the add-in was "
                         "built as {built}: copy it to Excel's XLSTART folder on that "
                         "computer (Windows: %APPDATA%\\Microsoft\\Excel\\XLSTART) and "
                         "run 'koshtorys addin install' there to set the Python interpreter"),
    "xlwings_settings": ("встановлено {target}, але не вдалося записати налаштування "
                         "xlwings: {reason}",
                         "installed {target}, but could not write xlwings' settings: "
                         "{reason}"),
    "interrupted": ("перервано; книга або записана повністю, або не змінена",
                    "interrupted; a workbook is either fully written or untouched"),
    "internal": ("внутрішня помилка ({error}); книги замінюються лише цілком, ніколи не "
                 "наполовину; подробиці — у {log}",
                 "internal error ({error}); workbooks are only ever replaced whole, never "
                 "half-written; details in {log}"),
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
    "cons_not_refreshed": ("вихідні таблиці порожні (книгу не оновлено): виконайте «Оновити» "
                           "(koshtorys refresh) і зведіть знову",
                           "its output tables are empty (the workbook was never refreshed): "
                           "run Refresh (koshtorys refresh) and consolidate again"),
    "cons_duplicate_book": ("та сама установа, рік і програма, що й у {other} (копія книги?): не "
                            "враховано, щоб не порахувати двічі",
                            "the same institution, year and program as {other} (a copy of the "
                            "workbook?): left out so as not to count it twice"),
    "cons_kind_program": ("книга програми", "program workbook"),
    "cons_kind_request": ("бюджетний запит", "budget request"),
    "cons_status_ok": ("враховано", "ok"),
    "cons_status_warning": ("із застереженням", "warning"),
    "cons_status_error": ("не враховано", "error"),
    "cons_status_skipped": ("пропущено", "skipped"),
    # --- import-actuals: reports and the open budget portal
    "step_fetch": ("завантаження з порталу «Відкритий бюджет»…",
                   "fetching from the open budget portal…"),
    "step_fetch_bytes": ("завантаження з порталу: отримано {kb} КБ…",
                         "fetching from the portal: {kb} KB received…"),
    "portal_fetched": ("з порталу отримано рядків: {lines} (бюджет {code}, {year} рік; {url})",
                       "fetched {lines} lines from the portal (budget {code}, year {year}; "
                       "{url})"),
    "portal_code_length": ("  код бюджету {given} запитано як {used}: з 2023 року коди "
                           "бюджетів мають 11 цифр, до того — 10",
                           "  budget code {given} asked as {used}: budget codes have 11 "
                           "digits from 2023, 10 before"),
    "import_lines": ("рядків у звіті: {lines}; взято: {taken}; пропущено: {skipped}",
                     "report lines: {lines}; taken: {taken}; skipped: {skipped}"),
    "import_skipped_by": ("  пропущено — {details}", "  skipped — {details}"),
    "import_skip_lines": ("  {reason}: рядки {lines}", "  {reason}: lines {lines}"),
    "import_no_program": ("  жоден код програми звіту не збігся з програмами книги ({programs}): "
                          "ТПКВКМБ порталу порівнюється з останніми чотирма цифрами КПКВК",
                          "  no program of the report matches the workbook's ({programs}): "
                          "the portal's ТПКВКМБ is compared with the last four digits of the "
                          "КПКВК"),
    "import_matched": ("  ТПКВКМБ {tpkvk} → КПКВК {kpkvk} (сума порталу — за всю громаду: якщо "
                       "програму {tpkvk} виконують кілька розпорядників, звіт їх не розділяє)",
                       "  ТПКВКМБ {tpkvk} → КПКВК {kpkvk} (the portal's amount is the "
                       "hromada's: if several spending units run {tpkvk}, the export does not "
                       "tell them apart)"),
    "skip_total_fund": ("підсумки обох фондів (T)", "totals of both funds (T)"),
    "skip_other_program": ("програми інших розпорядників", "other spending units' programs"),
    "skip_no_kekv": ("без економічного коду (підсумки програм)",
                     "without an economic code (program totals)"),
    "skip_group": ("групові КЕКВ (є деталізація)", "group КЕКВ rows (details present)"),
    "skip_group_alone": ("групові КЕКВ без деталізації (суму не імпортовано)",
                         "group КЕКВ rows without details (amount not imported)"),
    "skip_bad_fund": ("невідомий фонд", "unknown fund"),
    "skip_bad_month": ("нечитаний період", "unreadable period"),
    "skip_bad_program": ("нечитаний код програми", "unreadable program code"),
    "skip_bad_kekv": ("нечитаний код КЕКВ", "unreadable КЕКВ code"),
    "skip_bad_amount": ("нечислова сума", "amount not a finite number"),
    "skip_ambiguous_amount": ("неоднозначна сума: три цифри після коми чи крапки (дріб чи "
                              "тисячі?)", "ambiguous amount: three digits after a comma or a "
                              "point (a fraction or thousands?)"),
    "skip_later_year": ("рік після року виконання", "a year after execution_year"),
    "imported_history": ("tblHistory, {year} рік: сум за рік {lines}; змінено клітинок {cells}, "
                         "додано рядків {rows}",
                         "tblHistory, year {year}: {lines} year totals; {cells} cells updated, "
                         "{rows} rows added"),
    "history_partial_year": ("  увага: звіт за {year} рік має місяці лише до {month}-го: у "
                             "tblHistory записано суми на кінець цього місяця",
                             "  note: the report for {year} has months only up to {month}: "
                             "tblHistory holds the amounts at the end of that month"),
    "portal_no_code": ("не задано код бюджету: заповніть budget_code у tblSettings або вкажіть "
                       "його (--portal КОД)",
                       "no budget code: set budget_code in tblSettings or give one "
                       "(--portal CODE)"),
    "import_file_or_portal": ("вкажіть або файл звіту, або --portal, але не обидва",
                              "give either a report file or --portal, not both"),
    "import_year_needs_portal": ("--year застосовується лише з --portal (рік файлу — у його "
                                 "періодах)",
                                 "--year goes with --portal only (a file's year is in its "
                                 "periods)"),
    "import_year_later": ("рік {year} — після року виконання {exec_year}: змініть "
                          "execution_year у tblSettings",
                          "year {year} is after execution_year {exec_year}: change "
                          "execution_year in tblSettings"),
    "import_bad_year": ("рік {year} не підходить", "year {year} is not usable"),
    "report_missing": ("звіту {path} немає", "no such report: {path}"),
    "report_too_big": ("{name}: звіт більший за {mb} МБ", "{name}: the report exceeds {mb} MB"),
    "report_empty": ("{name}: звіт порожній", "{name}: the report is empty"),
    "report_no_lines": ("{name}: у звіті немає жодного рядка даних",
                        "{name}: the report has no data lines"),
    "report_unreadable": ("{name}: не вдалося прочитати файл ({error})",
                          "{name}: cannot read the file ({error})"),
    "report_encoding": ("{name}: звіт не в кодуванні UTF-8 чи windows-1251",
                        "{name}: the report is neither UTF-8 nor windows-1251"),
    "report_pdf": ("{name}: це PDF-документ, а не таблиця — завантажте звіт з порталу як CSV "
                   "або збережіть його в Excel (XLSX)",
                   "{name}: this is a PDF document, not a table — download the report from "
                   "the portal as CSV or save it as an Excel workbook (XLSX)"),
    "report_word": ("{name}: це документ Word, а не таблиця — потрібен CSV або книга Excel "
                    "(XLSX)",
                    "{name}: this is a Word document, not a table — a CSV or an Excel "
                    "workbook (XLSX) is needed"),
    "report_binary": ("{name}: це не текстовий CSV і не книга Excel — потрібен CSV або XLSX",
                      "{name}: neither a text CSV nor an Excel workbook — a CSV or XLSX is "
                      "needed"),
    "report_ragged": ("{name}: рядок {line} має полів {got} замість {want} — пошкоджений CSV",
                      "{name}: line {line} has {got} fields instead of {want} — a damaged CSV"),
    "report_malformed": ("{name}: не вдалося розібрати CSV", "{name}: the CSV cannot be parsed"),
    "report_portal_columns": ("{name}: вивантаженню порталу бракує стовпців {columns}",
                              "{name}: a portal export needs the columns {columns}"),
    "report_not_a_report": ("{name}: це не вивантаження порталу (FAKT_AMT, COD_CONS_EK …) і не "
                            "таблиця kpkvk, kekv, fund, month, amount (бракує: {columns})",
                            "{name}: not a portal export (FAKT_AMT, COD_CONS_EK …) nor a table "
                            "with kpkvk, kekv, fund, month, amount (missing: {columns})"),
    "report_program_ambiguous": ("ТПКВКМБ {code} звіту відповідає двом програмам книги: "
                                 "{programs} — звіт порталу їх не розрізняє; імпортуйте "
                                 "звіт із 7-значними КПКВК",
                                 "the report's ТПКВКМБ {code} matches two of the workbook's "
                                 "programs: {programs} — the portal's export cannot tell them "
                                 "apart; import a report with 7-digit КПКВК"),
    "portal_bad_code": ("код бюджету «{code}»: потрібно 10 або 11 цифр",
                        "budget code '{code}': 10 or 11 digits are needed"),
    "portal_bad_url": ("portal_url «{url}» — не адреса http(s)",
                       "portal_url '{url}' is not an http(s) address"),
    "portal_http": ("портал відповів помилкою HTTP {status} {reason} ({url}); нічого не змінено",
                    "the portal answered HTTP {status} {reason} ({url}); nothing changed"),
    "portal_unreachable": ("портал {host} недоступний ({reason}); нічого не змінено",
                           "the portal {host} cannot be reached ({reason}); nothing changed"),
    "portal_timeout": ("портал {host} не відповів за {seconds} с; нічого не змінено",
                       "the portal {host} did not answer within {seconds} s; nothing changed"),
    "portal_html": ("портал повернув вебсторінку замість даних CSV ({url}); нічого не змінено",
                    "the portal returned a web page instead of CSV data ({url}); nothing "
                    "changed"),
    "portal_empty": ("портал повернув порожню відповідь ({url}); нічого не змінено",
                     "the portal returned an empty answer ({url}); nothing changed"),
    "portal_malformed": ("відповідь порталу — не вивантаження видатків ({detail}; {url}); "
                         "нічого не змінено",
                         "the portal's answer is not an expenditure export ({detail}; {url}); "
                         "nothing changed"),
    "portal_columns": ("у відповіді порталу немає стовпців {columns} ({url}); нічого не "
                       "змінено",
                       "the portal's answer lacks the columns {columns} ({url}); nothing "
                       "changed"),
    "portal_too_big": ("відповідь порталу більша за {mb} МБ ({url}); нічого не змінено",
                       "the portal's answer exceeds {mb} MB ({url}); nothing changed"),
    "portal_no_data": ("портал не має даних про видатки бюджету {code} за {year} рік; нічого "
                       "не змінено",
                       "the portal has no expenditure data for budget {code}, year {year}; "
                       "nothing changed"),
    # --- sending: the log of what was sent, change warnings, SMTP failures (issue 12)
    "send_bad_request": ("{file}: це не бюджетний запит koshtorys або його не прочитати ({error})",
                         "{file} is not a koshtorys budget request or cannot be read ({error})"),
    "mail_cannot_attach": ("не вдалося додати до листа {file}: {error}",
                           "cannot attach {file}: {error}"),
    "mail_setting_missing": ("у tblSettings не задано {setting}: нічого не надіслано",
                             "{setting} is not set in tblSettings: nothing was sent"),
    "mail_bad_recipients": ("mail_to «{value}» не містить жодної адреси",
                            "mail_to '{value}' holds no address"),
    "mail_no_password": ("немає пароля SMTP: задайте змінну {env} або збережіть пароль у сховищі "
                         "паролів системи (служба «{service}», користувач «{user}»)",
                         "no SMTP password: set {env} or store it in the OS keyring (service "
                         "'{service}', user '{user}')"),
    "mail_no_starttls": ("{where} не пропонує STARTTLS, а відкритим текстом листи не йдуть "
                         "(smtp_starttls = ні — лише для сервера, де так задумано)",
                         "{where} offers no STARTTLS and nothing goes in plain text (set "
                         "smtp_starttls to false only for a server meant to be used so)"),
    "mail_tls_failed": ("не вдалося встановити захищене з'єднання з {where}: {detail}",
                        "TLS with {where} failed: {detail}"),
    "mail_cannot_connect": ("не вдалося з'єднатися з {where}: {detail}",
                            "cannot connect to {where}: {detail}"),
    "mail_login_refused": ("{where} відхилив вхід користувача {user}: {detail} (перевірте "
                           "пароль)",
                           "{where} refused the login of {user}: {detail} (check the password)"),
    "mail_login_silent": ("{where} не відповів на вхід користувача {user} за {seconds} с",
                          "{where} did not answer the login of {user} within {seconds} s"),
    "mail_login_failed": ("вхід користувача {user} на {where} не вдався: {detail}",
                          "the login of {user} at {where} failed: {detail}"),
    "mail_refused": ("сервер не прийняв лист: {detail}",
                     "the server did not take the message: {detail}"),
    "mail_sent": ("надіслано: {file} → {to}", "sent: {file} → {to}"),
    "mail_not_sent": ("НЕ надіслано: {file} — {reason}", "NOT sent: {file} — {reason}"),
    "send_copies": ("копії надісланого: {path}", "copies of what was sent: {path}"),
    "send_identical": ("{file}: такий самий, як надісланий {when}, — не надсилається ще раз "
                       "(--force надішле)",
                       "{file}: identical to the one sent {when} — not sent again (--force "
                       "sends it)"),
    "send_forced": ("{file}: такий самий, як надісланий {when}, — надсилається ще раз (--force)",
                    "{file}: identical to the one sent {when} — sent again (--force)"),
    "send_not_the_books": ("увага: у {file} рядків на плановий рік, що не збігаються з "
                           "книгою, {count} (перший — КЕКВ {kekv}: {old} грн у файлі, {new} "
                           "грн за книгою тепер; разом {total} і {book_total} грн): запит "
                           "зроблено до змін у книзі або змінено вручну. Надсилається як є; "
                           "щоб надіслати суми книги, зробіть його знову (koshtorys request)",
                           "note: {count} plan-year lines of {file} differ from the workbook "
                           "(the first, КЕКВ {kekv}: {old} UAH in the file, {new} UAH by the "
                           "workbook now; in all {total} and {book_total} UAH): it was made "
                           "before the workbook changed, or edited by hand. It is sent as it "
                           "is; to send the workbook's figures, make it again (koshtorys "
                           "request)"),
    "send_nothing_new": ("нового для надсилання немає", "nothing new to send"),
    "send_cancelled": ("надсилання скасовано: нічого не надіслано",
                       "sending cancelled: nothing was sent"),
    "send_log_unreadable": ("рядків {table}, які не прочитати, {count}: для порівняння їх не "
                            "враховано",
                            "{count} row(s) of {table} cannot be read: left out of the "
                            "comparison"),
    "send_log_failed": ("листи пішли, але журнал у {book} не записано ({error}). Внесіть ці "
                        "рядки до tblSubmissions вручну:",
                        "the messages went, but the log in {book} was not written ({error}). "
                        "Add these rows to tblSubmissions by hand:"),
    "send_log_row": ("  {sent_at}  {file}  {status}  {sha256}",
                     "  {sent_at}  {file}  {status}  {sha256}"),
    "send_logged_appended": ("до {table} додано рядків: {count}",
                             "{count} row(s) appended to {table}"),
    "send_logged_filled": ("до {table} додано рядків: {count}",
                           "{count} row(s) appended to {table}"),
    "send_logged_created": ("створено таблицю {table} (новий аркуш), рядків: {count}",
                            "table {table} created on a new sheet, {count} row(s)"),
    "change_first": ("{file}: раніше не надсилався — порівнювати нема з чим",
                     "{file}: never sent before — nothing to compare with"),
    "change_no_copy": ("{file}: порівняти з надісланим {when} не вдалося — копії {path} немає",
                       "{file}: cannot compare with the one sent {when} — its copy {path} is "
                       "missing"),
    "change_copy_unreadable": ("{file}: порівняти з надісланим {when} не вдалося — копію {path} "
                               "не прочитати",
                               "{file}: cannot compare with the one sent {when} — its copy "
                               "{path} cannot be read"),
    "change_copy_differs": ("{file}: порівняти з надісланим {when} не вдалося — копія {path} не "
                            "та, що надіслана (інший SHA-256)",
                            "{file}: cannot compare with the one sent {when} — the copy {path} "
                            "is not what was sent (its SHA-256 differs)"),
    "change_none": ("{file}: порівняно з надісланим {when} жоден рядок не змінився більш як на "
                    "{pct} %",
                    "{file}: against the one sent {when}, no line moved by more than {pct} %"),
    "change_header": ("{file}: порівняно з надісланим {when} рядків, що змінилися більш як на "
                      "{pct} %, з'явилися чи зникли: {count}",
                      "{file}: against the one sent {when}, {count} line(s) moved by more than "
                      "{pct} %, appeared or vanished"),
    "change_moved": ("  КЕКВ {kekv}{name}, {fund} фонд: було {old} грн, стало {new} грн "
                     "({delta} %)",
                     "  КЕКВ {kekv}{name}, {fund} fund: {old} → {new} UAH ({delta} %)"),
    "change_appeared": ("  КЕКВ {kekv}{name}, {fund} фонд: новий рядок, {new} грн",
                        "  КЕКВ {kekv}{name}, {fund} fund: new line, {new} UAH"),
    "change_vanished": ("  КЕКВ {kekv}{name}, {fund} фонд: рядок вилучено (було {old} грн)",
                        "  КЕКВ {kekv}{name}, {fund} fund: line removed (was {old} UAH)"),
    "change_header_body": ("Зміни порівняно з запитом, надісланим {when} (рядки, що змінилися "
                           "більш як на {pct} %, нові та вилучені):",
                           "Changes against the request sent {when} (lines that moved by more "
                           "than {pct} %, new and removed ones):"),
    "change_none_body": ("Порівняно з запитом, надісланим {when}, жоден рядок не змінився більш "
                         "як на {pct} %.",
                         "Against the request sent {when}, no line moved by more than {pct} %."),
    "resend_body": ("Надсилаємо повторно, без змін, запит, уже надісланий {when}.",
                    "Sent again, unchanged: the request already sent {when}."),
    # --- budget requests (requests branch): funding sources named in check messages,
    # the request command's lines
    "source_local": ("бюджет громади", "local budget"),
    "source_state": ("державний бюджет", "state budget"),
    "source_oblast": ("обласний бюджет", "oblast budget"),
    "source_donor": ("міжнародна технічна допомога (МТД)", "international aid (donors)"),
    "source_other": ("інші джерела", "other sources"),
    "source_total": ("усього за всіма джерелами", "all sources together"),
    "wrote_request3": ("  КПКВК {kpkvk}: видатки понад граничний обсяг ({excess} грн на плановий "
                       "рік) — у додатковому запиті {file}",
                       "  КПКВК {kpkvk}: expenditure above the ceiling ({excess} UAH in the "
                       "plan year) is in the additional request {file}"),
    "requests_partly_written": ("записано лише {count} файл(и): {files}; {failed} не "
                                "записано ({error}) — решту файлів не змінено",
                                "only {count} file(s) written: {files}; {failed} was not "
                                "({error}) — the other files are unchanged"),
    # --- documents of the cycle (passport, report, tariff, procurement)
    "step_passport": ("паспорти бюджетних програм…", "budget program passports…"),
    "step_passport_report": ("звіти про виконання паспортів…", "passport reports…"),
    "step_tariff": ("розрахунки тарифів…", "tariff calculations…"),
    "step_procurement": ("обґрунтування закупівлі…", "procurement justification…"),
    "wrote_passports": ("записано паспортів бюджетних програм: {count} у {outdir}",
                        "wrote {count} budget program passport(s) into {outdir}"),
    "wrote_passport_reports": ("записано звітів про виконання паспортів: {count} у {outdir}",
                               "wrote {count} passport report(s) into {outdir}"),
    "wrote_tariffs": ("записано розрахунків тарифу: {count} у {outdir}",
                      "wrote {count} tariff calculation(s) into {outdir}"),
    "wrote_procurement": ("записано обґрунтування закупівлі {file}: очікувана вартість "
                          "{expected} грн ({units} × {tariff} грн)",
                          "wrote the procurement justification {file}: expected value "
                          "{expected} UAH ({units} × {tariff} UAH)"),
    "unknown_service": ("послуги «{service}» немає в tblServices (є: {known})",
                        "there is no service '{service}' in tblServices (known: {known})"),
    "no_services_costed": ("{book}: немає жодної послуги з розрахованою вартістю "
                           "(tblServices порожня або всі рядки з помилками)",
                           "{book}: no service has a computed cost (tblServices is empty or "
                           "every row has errors)"),
    "bad_units": ("--units має бути додатним числом, а не «{value}»",
                  "--units must be a positive number, not '{value}'"),
    "ambiguous_units": ("--units «{value}» — {decimal} чи {thousands}? Напишіть {thousands} "
                        "(без роздільника) або {decimal}",
                        "--units '{value}': {decimal} or {thousands}? Type {thousands} (no "
                        "separator) or {decimal}"),
    "unknown_program": ("КПКВК {kpkvk} не має сум у книзі (є: {known})",
                        "КПКВК {kpkvk} has no amounts in the workbook (known: {known})"),
    "no_actuals_at_all": ("{book}: у tblActuals немає касових видатків {year} року — звіт "
                          "про виконання паспорта не складається без них (koshtorys "
                          "import-actuals)",
                          "{book}: tblActuals holds no cash expenditure for {year} — a "
                          "passport report needs it (koshtorys import-actuals)"),
    "no_actuals_program": ("КПКВК {kpkvk}: у tblActuals немає касових видатків {year} року — "
                           "звіт не сформовано (koshtorys import-actuals)",
                           "КПКВК {kpkvk}: tblActuals holds no cash expenditure for {year} — "
                           "no report was made (koshtorys import-actuals)"),
    "demo_passports": ("   паспорти бюджетних програм:", "   budget program passports:"),
    "demo_passport_reports": ("   звіти про виконання паспортів:", "   passport reports:"),
    "demo_tariffs": ("   розрахунки тарифів послуг:", "   tariff calculations:"),
    "demo_procurement": ("   обґрунтування закупівлі:", "   procurement justification:"),
    "doc_checks_more": ("    … ще {count}", "    … {count} more"),
    # the documents, as a check names them (params "document": request, passport, …)
    "document_request": ("бюджетний запит", "budget request"),
    "document_passport": ("паспорт бюджетної програми", "budget program passport"),
    "document_report": ("звіт про виконання паспорта", "passport report"),
    "document_tariff": ("розрахунок тарифу", "tariff calculation"),
    "document_procurement": ("обґрунтування закупівлі", "procurement justification"),
    "document_consolidation": ("зведення книг установ", "consolidation of institutions' workbooks"),
    "note_like": (" Можливо, «{like}»?", " Did you mean '{like}'?"),
    "note_part_post": (
        " Якщо це оплата {fte} ставки, введіть оплату цілої ставки — {whole} грн (стовпець "
        "множиться на штатні одиниці).",
        " If it is the pay of {fte} of a post, type the whole post's pay, {whole} UAH (the "
        "column is multiplied by the posts)."),
    "settings_not_set": ("не задано або недійсні налаштування: {names}",
                         "settings not set or invalid: {names}"),
}

TEXTS: dict[str, tuple[str, str]] = {**_LINES, **EXCEL_TEXTS}
