<#
Issue 15, Secrets: runs ONE key-creating or key-rotating command of the built module, as a user would in
`pwsh -File`, and keeps everything it could show a secret in (tests/Secrets.Tests.ps1 then looks for the secret):

- every stream: the command runs in a runspace on this process's console host, so -Verbose/-Debug/warnings/errors are
  shown as usual AND collected per stream by the PowerShell object (output, error, warning, verbose, debug,
  information, progress: progress is the one stream *>&1 cannot redirect);
- the output objects' default view, table view, list view and every property (Format-List *);
- each error's ToString(), its exception's ToString() (inner exceptions and stack), error details, the target, and
  the runspace's $Error; a terminating error's exception;
- a Start-Transcript transcript of the run;
- the process's stdout and stderr are the caller's to capture (`pwsh -File ... > out 2> err`).

Writes to -OutDir: captured.txt (all of the above but the transcript), transcript.txt, secrets.txt (the plain secrets
of SecureStrings in the output: the test's copy, kept apart from what is searched) and streams.json (counts per
stream and the error ids).

With -SwapFolder, the command is started and, as soon as the fault proxy at -ProxyUrl reports an injected fault (a
delay-before on CreateAccessKey), the folder is replaced by a file, so that storing the key fails after it was made.
#>
param(
    [Parameter(Mandatory)] [string] $Manifest,
    [Parameter(Mandatory)] [string] $Command,
    [Parameter(Mandatory)] [string] $OutDir,
    [string] $SwapFolder,
    [string] $ProxyUrl
)
$ErrorActionPreference = 'Stop'
$transcript = Join-Path $OutDir 'transcript.txt'
$runspace = [runspacefactory]::CreateRunspace($Host)
$runspace.Open()
$ps = [powershell]::Create()
$ps.Runspace = $runspace
$inner = @'
param($Manifest, $Transcript, $Command)
$ProgressPreference = 'Continue'
$InformationPreference = 'Continue'
# -Debug makes warnings ask (Inquire), which fails in a non-interactive run: show them instead, as without -Debug.
$PSDefaultParameterValues['*:WarningAction'] = 'Continue'
Import-Module $Manifest -ErrorAction Stop
Start-Transcript -Path $Transcript -UseMinimalHeader | Out-Null
try {
    # Shown on the host as a user would see it (so also in the transcript), and handed back for the views.
    & ([scriptblock]::Create($Command)) | ForEach-Object { $_ | Out-Host; $_ }
}
finally {
    Stop-Transcript | Out-Null
}
'@
$null = $ps.AddScript($inner).AddArgument($Manifest).AddArgument($transcript).AddArgument($Command)
$handle = $ps.BeginInvoke()
if ($SwapFolder) {
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while ([DateTime]::UtcNow -lt $deadline -and -not $handle.IsCompleted) {
        $report = (Invoke-WebRequest -Uri "$ProxyUrl/__fault/report" -UseBasicParsing).Content
        if ($report -is [byte[]]) { $report = [System.Text.Encoding]::UTF8.GetString($report) }
        if (@($report | ConvertFrom-Json).Count -gt 0) { break }
        Start-Sleep -Milliseconds 50
    }
    Remove-Item -Recurse -Force $SwapFolder
    Set-Content -Path $SwapFolder -Value 'not a folder any more'
}

$terminating = $null
$output = @()
try { $output = @($ps.EndInvoke($handle)) } catch { $terminating = $_ }

$text = [System.Text.StringBuilder]::new()
function Add-Text([string] $Label, $Value) { $null = $text.AppendLine("=== $Label").AppendLine(($Value | Out-String -Width 4096)) }
$secrets = [System.Collections.Generic.List[string]]::new()
foreach ($o in $output) {
    Add-Text 'output (default view)' $o
    Add-Text 'output (table)' ($o | Format-Table | Out-String -Width 4096)
    Add-Text 'output (list)' ($o | Format-List | Out-String -Width 4096)
    Add-Text 'output (all properties)' ($o | Format-List * -Force | Out-String -Width 4096)
    Add-Text 'output (ToString)' "$o"
    foreach ($p in $o.PSObject.Properties) {
        if ($p.Value -is [securestring]) { $secrets.Add([System.Net.NetworkCredential]::new('', $p.Value).Password) }
    }
}
$errors = @($ps.Streams.Error) + @($runspace.SessionStateProxy.GetVariable('Error'))
foreach ($e in $errors) {
    if ($null -eq $e) { continue }
    Add-Text 'error (ToString)' $e.ToString()
    if ($e -is [System.Management.Automation.ErrorRecord]) {
        Add-Text 'error (all properties)' ($e | Format-List * -Force | Out-String -Width 4096)
        Add-Text 'error (exception)' $e.Exception.ToString()
        Add-Text 'error (details)' "$($e.ErrorDetails) $($e.TargetObject) $($e.CategoryInfo) $($e.FullyQualifiedErrorId)"
    }
    elseif ($e -is [Exception]) { Add-Text 'error (exception)' $e.ToString() }
}
if ($terminating) {
    Add-Text 'terminating (ToString)' $terminating.ToString()
    Add-Text 'terminating (exception)' $terminating.Exception.ToString()
}
foreach ($record in $ps.Streams.Warning) { Add-Text 'warning' $record.Message }
foreach ($record in $ps.Streams.Verbose) { Add-Text 'verbose' $record.Message }
foreach ($record in $ps.Streams.Debug) { Add-Text 'debug' $record.Message }
foreach ($record in $ps.Streams.Information) { Add-Text 'information' "$($record.MessageData) $($record.Tags)" }
foreach ($record in $ps.Streams.Progress) { Add-Text 'progress' "$($record.Activity) $($record.StatusDescription) $($record.CurrentOperation)" }

[System.IO.File]::WriteAllText((Join-Path $OutDir 'captured.txt'), $text.ToString())
[System.IO.File]::WriteAllLines((Join-Path $OutDir 'secrets.txt'), [string[]]$secrets)
[pscustomobject]@{
    Output      = $output.Count
    Error       = @($ps.Streams.Error).Count
    Warning     = @($ps.Streams.Warning).Count
    Verbose     = @($ps.Streams.Verbose).Count
    Debug       = @($ps.Streams.Debug).Count
    Information = @($ps.Streams.Information).Count
    Progress    = @($ps.Streams.Progress).Count
    ErrorIds    = @($ps.Streams.Error | ForEach-Object { $_.FullyQualifiedErrorId })
    Terminating = if ($terminating) { $terminating.Exception.Message } else { $null }
} | ConvertTo-Json | Set-Content -Path (Join-Path $OutDir 'streams.json')
$ps.Dispose()
$runspace.Dispose()
