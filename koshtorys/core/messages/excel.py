"""What the ribbon buttons and the worksheet functions say in Excel: message boxes,
questions, and the one-cell answers of a malformed argument. Ukrainian first, English
second; :data:`koshtorys.core.messages.TEXTS` holds these with the command line's."""

from __future__ import annotations

__all__ = ["EXCEL_TEXTS"]

EXCEL_TEXTS: dict[str, tuple[str, str]] = {
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
    "btn_drafts": ("SMTP не налаштовано: чернетки листів (.eml) збережено в папці\n{draft}\n"
                   "Відкрийте їх в Outlook і надішліть.",
                   "SMTP is not set up: the drafts (.eml) are in\n{draft}\nOpen them in Outlook "
                   "and send."),
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
    "btn_portal_or_file": ("Завантажити касові видатки з порталу «Відкритий бюджет» (бюджет "
                           "{code}, {year} рік)?\n«Так» — з порталу, «Ні» — вибрати файл звіту.",
                           "Fetch the cash expenditure from the open budget portal (budget "
                           "{code}, year {year})?\n'Yes' — from the portal, 'No' — choose a "
                           "report file."),
    "btn_no_dialog_portal": ("Вибір файлу доступний лише в Excel для Windows. Задайте "
                             "budget_code у налаштуваннях, щоб завантажити виконання з порталу, "
                             "або виконайте в терміналі: koshtorys {command}",
                             "Choosing a file needs Excel for Windows. Set budget_code in the "
                             "settings to fetch the actuals from the portal, or run in a "
                             "terminal: koshtorys {command}"),
    "btn_send_done": ("Надсилання завершено.\n{summary}", "Sending finished.\n{summary}"),
    "btn_send_partly": ("Не всі листи надіслано; файли запитів збережено в {outdir}.\n{summary}",
                        "Not every message was sent; the request files are in {outdir}.\n"
                        "{summary}"),
    "btn_send_save": ("До таблиці {table} цієї книги додано записи про надіслане — збережіть "
                      "книгу, щоб їх не втратити.",
                      "Rows about what was sent were added to {table} in this workbook — save "
                      "the workbook to keep them."),
    "btn_send_confirm": ("Порівняно з надісланим раніше — значні зміни:\n{changes}\n\n"
                         "Надіслати?",
                         "Large changes against what was sent before:\n{changes}\n\nSend?"),
    "btn_choose_service": ("Код послуги для документа «{document}» ({known}){all}:",
                           "Service code for '{document}' ({known}){all}:"),
    "btn_choose_all": ("; порожньо — усі послуги", "; blank for every service"),
    "btn_select_service": ("Виділіть рядок послуги в таблиці послуг (або вартості послуг) і "
                           "натисніть «{document}» ще раз.",
                           "Select the row of a service in the services (or unit costs) "
                           "table and click '{document}' again."),
}
