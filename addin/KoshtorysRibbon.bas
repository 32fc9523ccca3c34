Attribute VB_Name = "KoshtorysRibbon"
' Ribbon callbacks of the koshtorys add-in (tab "Koshtorys", customUI14.xml).
' Each button runs the same-named function of koshtorys.addin.macros through
' xlwings' RunPython; that function does the work on the active workbook, shows
' errors as a message box and sets the status bar. Keep this file ASCII.
Option Explicit

Public Sub OnRefresh(control As IRibbonControl)
    RunPython "import koshtorys.addin.macros as m; m.refresh()"
End Sub

Public Sub OnCosting(control As IRibbonControl)
    RunPython "import koshtorys.addin.macros as m; m.costing()"
End Sub

Public Sub OnExecution(control As IRibbonControl)
    RunPython "import koshtorys.addin.macros as m; m.execution()"
End Sub

Public Sub OnFunding(control As IRibbonControl)
    RunPython "import koshtorys.addin.macros as m; m.funding()"
End Sub

Public Sub OnCheck(control As IRibbonControl)
    RunPython "import koshtorys.addin.macros as m; m.check()"
End Sub

Public Sub OnRequest(control As IRibbonControl)
    RunPython "import koshtorys.addin.macros as m; m.request()"
End Sub

Public Sub OnSend(control As IRibbonControl)
    RunPython "import koshtorys.addin.macros as m; m.send()"
End Sub

Public Sub OnPassport(control As IRibbonControl)
    RunPython "import koshtorys.addin.macros as m; m.passport()"
End Sub

Public Sub OnPassportReport(control As IRibbonControl)
    RunPython "import koshtorys.addin.macros as m; m.passport_report()"
End Sub

Public Sub OnTariff(control As IRibbonControl)
    RunPython "import koshtorys.addin.macros as m; m.tariff()"
End Sub

Public Sub OnProcurement(control As IRibbonControl)
    RunPython "import koshtorys.addin.macros as m; m.procurement()"
End Sub

Public Sub OnNewTemplate(control As IRibbonControl)
    RunPython "import koshtorys.addin.macros as m; m.new_template()"
End Sub

Public Sub OnImportActuals(control As IRibbonControl)
    RunPython "import koshtorys.addin.macros as m; m.import_actuals()"
End Sub
