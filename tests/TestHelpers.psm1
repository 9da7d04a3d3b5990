# Shared helpers for the Pester tests. Every test file imports the BUILT module through Import-BuiltModule.

function Get-BuiltModuleManifest {
    if ($env:BACKUPIAM_MODULE_MANIFEST) { return $env:BACKUPIAM_MODULE_MANIFEST }
    $candidate = Get-ChildItem (Join-Path $PSScriptRoot '../out/BackupIam') -Filter BackupIam.psd1 -Recurse -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $candidate) { throw 'The module is not built. Run: dotnet pwsh -File build.ps1 -Task Build' }
    $candidate.FullName
}

function Import-BuiltModule {
    Import-Module (Get-BuiltModuleManifest) -Force -Global -ErrorAction Stop
}

function Invoke-FreshPwsh {
    <# Runs a script block's text in a fresh pwsh process of the same build and returns its output lines. #>
    param([Parameter(Mandatory)] [string] $Script)
    $self = [System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
    $encoded = [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($Script))
    if ([System.IO.Path]::GetFileNameWithoutExtension($self) -in 'pwsh', 'powershell') {
        & $self -NoProfile -NonInteractive -EncodedCommand $encoded
    }
    else {
        & $self (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -EncodedCommand $encoded
    }
}

function Get-FreePort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function Start-MotoServer {
    <#
    Starts a real moto server (IAM, STS, S3) on a free 127.0.0.1 port and waits until it answers.
    Throws (the tests then fail, never skip) when it cannot start.
    #>
    $python = if ($env:BACKUPIAM_PYTHON) { $env:BACKUPIAM_PYTHON } else { 'python3' }
    for ($attempt = 0; $attempt -lt 3; $attempt++) {
        $port = Get-FreePort
        $log = Join-Path ([System.IO.Path]::GetTempPath()) "moto-$port.log"
        # moto's request log goes to files: a redirected pipe that nobody reads fills up and freezes the server.
        $savedRecorder = $env:MOTO_RECORDER_FILEPATH
        $env:MOTO_RECORDER_FILEPATH = Join-Path ([System.IO.Path]::GetTempPath()) "moto-recording-$port.jsonl"
        try {
            $process = Start-Process -FilePath $python -ArgumentList '-m', 'moto.server', '-H', '127.0.0.1', '-p', "$port" `
                -RedirectStandardOutput $log -RedirectStandardError "$log.err" -PassThru
        }
        finally {
            if ($null -eq $savedRecorder) { Remove-Item Env:MOTO_RECORDER_FILEPATH -ErrorAction SilentlyContinue } else { $env:MOTO_RECORDER_FILEPATH = $savedRecorder }
        }
        $url = "http://127.0.0.1:$port"
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while ([DateTime]::UtcNow -lt $deadline -and -not $process.HasExited) {
            try {
                $null = Invoke-WebRequest -Uri "$url/moto-api/" -TimeoutSec 2 -UseBasicParsing
                return [pscustomobject]@{ Url = $url; Port = $port; Process = $process }
            }
            catch { Start-Sleep -Milliseconds 200 }
        }
        if (-not $process.HasExited) { $process.Kill($true) }
    }
    throw "moto did not start: is moto[server] installed in '$python'? ($(Get-Content -Raw "$log.err" -ErrorAction SilentlyContinue))"
}

function Stop-MotoServer {
    param([Parameter(Mandatory)] $Server)
    if ($Server -and $Server.Process -and -not $Server.Process.HasExited) {
        $Server.Process.Kill($true)
        $null = $Server.Process.WaitForExit(5000)
    }
}

function Start-MotoRecording {
    <# Clears moto's request recording and starts recording every request the server receives. #>
    param([Parameter(Mandatory)] [string] $Url)
    $null = Invoke-WebRequest -Method Post -Uri "$Url/moto-api/recorder/stop-recording" -UseBasicParsing
    $null = Invoke-WebRequest -Method Post -Uri "$Url/moto-api/recorder/reset-recording" -UseBasicParsing
    $null = Invoke-WebRequest -Method Post -Uri "$Url/moto-api/recorder/start-recording" -UseBasicParsing
}

function Get-MotoCall {
    <#
    Returns every request moto received since Start-MotoRecording, as the SERVER saw it: Service (iam, sts, s3),
    Operation (the IAM/STS Action, or 'METHOD /path?subresource' for S3), Name (the IAM entity or the S3 key),
    IsWrite, and the raw Authorization header.
    #>
    param([Parameter(Mandatory)] [string] $Url)
    $text = (Invoke-WebRequest -Uri "$Url/moto-api/recorder/download-recording" -UseBasicParsing).Content
    if ($text -is [byte[]]) { $text = [System.Text.Encoding]::UTF8.GetString($text) }
    foreach ($line in ($text -split "`n")) {
        if (-not $line.Trim()) { continue }
        $entry = $line | ConvertFrom-Json
        $body = [string]$entry.body
        if ($entry.body_encoded) { $body = [System.Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($body)) }
        $uri = [uri]$entry.url
        $form = @{}
        if ($body -match '(^|&)Action=') {
            foreach ($pair in $body -split '&') {
                $k, $v = $pair -split '=', 2
                $form[[uri]::UnescapeDataString($k)] = [uri]::UnescapeDataString(($v -replace '\+', ' '))
            }
        }
        if ($form.ContainsKey('Action')) {
            $service = if ($form['Version'] -eq '2011-06-15') { 'sts' } else { 'iam' }
            $operation = $form['Action']
            $name = @($form['PolicyName'], $form['UserName'], $form['GroupName']) | Where-Object { $_ } | Select-Object -First 1
            $isWrite = $operation -notmatch '^(Get|List)'
        }
        else {
            $service = 's3'
            $sub = ($uri.Query.TrimStart('?') -split '&' | Where-Object { $_ } | ForEach-Object { ($_ -split '=')[0] }) -join '&'
            $operation = "$($entry.method) $($uri.AbsolutePath)" + $(if ($sub) { "?$sub" } else { '' })
            $name = [uri]::UnescapeDataString($uri.AbsolutePath)
            $isWrite = $entry.method -in 'PUT', 'POST', 'DELETE'
        }
        $authorization = $entry.headers.Authorization
        if (-not $authorization) { $authorization = $entry.headers.authorization }
        [pscustomobject]@{ Service = $service; Operation = $operation; Name = $name; IsWrite = $isWrite; Authorization = $authorization }
    }
}

function Get-MotoWriteCall {
    param([Parameter(Mandatory)] [string] $Url)
    @(Get-MotoCall -Url $Url | Where-Object IsWrite)
}

function Restore-EnvironmentVariable {
    <# Sets an environment variable back to a saved value; a saved $null removes it (an empty value is not the same). #>
    param([Parameter(Mandatory)] [string] $Name, [AllowNull()] [string] $Value)
    if ([string]::IsNullOrEmpty($Value)) { Remove-Item "Env:$Name" -ErrorAction SilentlyContinue }
    else { Set-Item "Env:$Name" -Value $Value }
}

Export-ModuleMember -Function Restore-EnvironmentVariable, Get-BuiltModuleManifest, Import-BuiltModule, Invoke-FreshPwsh, Get-FreePort, Start-MotoServer, Stop-MotoServer, Start-MotoRecording, Get-MotoCall, Get-MotoWriteCall

# ---------------------------------------------------------------- fault-injecting proxy (tests/faults/fault_proxy.py)

function Start-FaultProxy {
    <#
    Starts the fault-injecting proxy on a free 127.0.0.1 port in front of a real server (moto, RGW) and waits until
    it answers. Point the module at .Url instead of the server's URL; then Set-FaultRule says what to break.
    Throws (the tests then fail, never skip) when it cannot start.
    #>
    param([Parameter(Mandatory)] [string] $TargetUrl)
    $python = if ($env:BACKUPIAM_PYTHON) { $env:BACKUPIAM_PYTHON } else { 'python3' }
    $script = Join-Path $PSScriptRoot 'faults/fault_proxy.py'
    $portFile = Join-Path ([System.IO.Path]::GetTempPath()) ("fault-proxy-" + [guid]::NewGuid() + '.port')
    $log = "$portFile.log"
    $process = Start-Process -FilePath $python -ArgumentList $script, '--target', $TargetUrl, '--port-file', $portFile `
        -RedirectStandardOutput $log -RedirectStandardError "$log.err" -PassThru
    $deadline = [DateTime]::UtcNow.AddSeconds(20)
    while ([DateTime]::UtcNow -lt $deadline -and -not $process.HasExited) {
        if (Test-Path $portFile) {
            $port = [int](Get-Content -Raw $portFile)
            $url = "http://127.0.0.1:$port"
            try {
                $null = Invoke-WebRequest -Uri "$url/__fault/health" -TimeoutSec 2 -UseBasicParsing
                Remove-Item $portFile -ErrorAction SilentlyContinue
                return [pscustomobject]@{ Url = $url; Port = $port; Process = $process; TargetUrl = $TargetUrl }
            }
            catch { }
        }
        Start-Sleep -Milliseconds 100
    }
    if (-not $process.HasExited) { $process.Kill($true) }
    throw "The fault proxy did not start: $(Get-Content -Raw "$log.err" -ErrorAction SilentlyContinue)"
}

function Stop-FaultProxy {
    param([Parameter(Mandatory)] $Proxy)
    if ($Proxy -and $Proxy.Process -and -not $Proxy.Process.HasExited) {
        $Proxy.Process.Kill($true)
        $null = $Proxy.Process.WaitForExit(5000)
    }
}

function Set-FaultRule {
    <#
    Replaces the proxy's rules. Each rule is a hashtable: Operation (exactly as Get-FaultProxyRequest names it), or Action (IAM/STS) or Method + Path (S3, a regex on
    'PATH?QUERY'), Fault (500, throttle, drop-before, drop-after, truncate, delay-before, delay-after, hang,
    hang-after), optional Nth (from the nth matching request, default 1), Times (default 1, 0 = all), Seconds (delays).
    No rule: clears them.
    #>
    param([Parameter(Mandatory)] $Proxy, [hashtable[]] $Rule = @())
    $rules = @(foreach ($r in $Rule) {
            $o = [ordered]@{}
            foreach ($k in $r.Keys) { $o[$k.ToString().ToLowerInvariant()] = $r[$k] }
            $o
        })
    $json = ConvertTo-Json -InputObject $rules -Depth 4 -Compress
    $null = Invoke-WebRequest -Method Post -Uri "$($Proxy.Url)/__fault/rules" -Body $json -ContentType 'application/json' -UseBasicParsing
}

function Reset-FaultProxy {
    <# Clears the rules, the injection report and the request log. #>
    param([Parameter(Mandatory)] $Proxy)
    $null = Invoke-WebRequest -Method Post -Uri "$($Proxy.Url)/__fault/reset" -UseBasicParsing
}

function Get-FaultReport {
    <# What the proxy injected since the last reset: Seq, Rule, Fault, Service, Operation, Occurrence. #>
    param([Parameter(Mandatory)] $Proxy)
    $text = (Invoke-WebRequest -Uri "$($Proxy.Url)/__fault/report" -UseBasicParsing).Content
    if ($text -is [byte[]]) { $text = [System.Text.Encoding]::UTF8.GetString($text) }
    @($text | ConvertFrom-Json)
}

function Get-FaultProxyRequest {
    <# Every request the proxy saw since the last reset: Seq, Service, Operation (IAM Action or 'METHOD /path?sub'), Write, Fault. #>
    param([Parameter(Mandatory)] $Proxy)
    $text = (Invoke-WebRequest -Uri "$($Proxy.Url)/__fault/requests" -UseBasicParsing).Content
    if ($text -is [byte[]]) { $text = [System.Text.Encoding]::UTF8.GetString($text) }
    @($text | ConvertFrom-Json)
}

function Reset-MotoServer {
    <# Forgets every user, group, key and bucket moto holds (POST /moto-api/reset). #>
    param([Parameter(Mandatory)] [string] $Url)
    $null = Invoke-WebRequest -Method Post -Uri "$Url/moto-api/reset" -UseBasicParsing
}

function Get-MotoAccessKey {
    <#
    The LIVE access keys of a user as moto holds them (IAM ListAccessKeys, sent straight to moto), each with its
    secret from moto's model dump (/moto-api/data.json, which also keeps deleted keys, so it only supplies secrets):
    the test's way of proving that a stored secret is the live key's.
    #>
    param([Parameter(Mandatory)] [string] $Url, [Parameter(Mandatory)] [string] $UserName)
    $headers = @{ Authorization = 'AWS4-HMAC-SHA256 Credential=AKIAMOTOTESTREADER01/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0' }
    $body = "Action=ListAccessKeys&Version=2010-05-08&UserName=$([uri]::EscapeDataString($UserName))"
    $text = (Invoke-WebRequest -Method Post -Uri "$Url/" -Body $body -ContentType 'application/x-www-form-urlencoded' -Headers $headers -UseBasicParsing).Content
    if ($text -is [byte[]]) { $text = [System.Text.Encoding]::UTF8.GetString($text) }
    $ids = @(([xml]$text).GetElementsByTagName('AccessKeyId') | ForEach-Object { $_.InnerText })
    if ($ids.Count -eq 0) { return }
    $dump = (Invoke-WebRequest -Uri "$Url/moto-api/data.json" -UseBasicParsing).Content
    if ($dump -is [byte[]]) { $dump = [System.Text.Encoding]::UTF8.GetString($dump) }
    $data = $dump | ConvertFrom-Json -AsHashtable
    foreach ($id in $ids) {
        $model = @($data['iam']['AccessKey']) | Where-Object { $_ -and $_['access_key_id'] -eq $id } | Select-Object -First 1
        [pscustomobject]@{ AccessKeyId = $id; SecretAccessKey = $model['secret_access_key']; Status = $model['status'] }
    }
}

Export-ModuleMember -Function Start-FaultProxy, Stop-FaultProxy, Set-FaultRule, Reset-FaultProxy, Get-FaultReport, Get-FaultProxyRequest, Reset-MotoServer, Get-MotoAccessKey

# ---- Ceph RGW (tests/rgw/rgw.sh) -------------------------------------------------------------------------------
# Each Start-RgwServer brings up its own single-node cluster (own state directory and free ports) and, with
# -CountingProxy, a recording proxy in front of it whose log shows every request the server received (RGW's own ops
# log has no IAM calls). It throws when RGW does not come up: the tests then fail, never skip.

function Start-RgwServer {
    [CmdletBinding()]
    param([switch] $CountingProxy)
    if ($IsWindows) { throw 'Ceph RGW tests need Linux with the Debian packages ceph-mon ceph-osd radosgw ceph-common (tests/rgw/rgw.sh installs them).' }
    $script = Join-Path $PSScriptRoot 'rgw/rgw.sh'
    $state = Join-Path ([System.IO.Path]::GetTempPath()) ("backupiam-rgw-" + [guid]::NewGuid().ToString('n').Substring(0, 12))
    $errorLog = "$state.start.log"
    $lines = & bash $script start $state 2> $errorLog
    $exit = $LASTEXITCODE
    $startLog = Get-Content -Raw $errorLog -ErrorAction SilentlyContinue
    Remove-Item $errorLog -ErrorAction SilentlyContinue
    if ($exit -ne 0) { throw "Ceph RGW did not come up (tests/rgw/rgw.sh start exited $exit): $startLog" }
    $values = @{}
    foreach ($line in $lines) { if ($line -match '^(RGW_[A-Z_]+)=(.*)$') { $values[$Matches[1]] = $Matches[2] } }
    if (-not $values['RGW_ENDPOINT']) { throw "tests/rgw/rgw.sh start printed no endpoint: $startLog" }
    $server = [pscustomobject]@{
        Endpoint       = $values['RGW_ENDPOINT']
        Url            = $values['RGW_ENDPOINT']
        Port           = [int]$values['RGW_PORT']
        StateDir       = $values['RGW_STATE_DIR']
        Conf           = $values['RGW_CONF']
        AdminUid       = $values['RGW_ADMIN_UID']
        AdminAccessKey = $values['RGW_ADMIN_ACCESS_KEY']
        AdminSecretKey = $values['RGW_ADMIN_SECRET_KEY']
        BringUpSeconds = [double]::Parse($values['RGW_BRINGUP_SECONDS'], [cultureinfo]::InvariantCulture)
        ProxyProcess   = $null
        ProxyLog       = $null
        RecordingMark  = 0
    }
    Write-Host "Ceph RGW up at $($server.Endpoint) in $($server.BringUpSeconds) s (state: $($server.StateDir))"
    if ($CountingProxy) {
        try {
            $server.ProxyLog = Join-Path $server.StateDir 'proxy.jsonl'
            $proxy = Start-CountingProxy -TargetUrl $server.Endpoint -LogPath $server.ProxyLog
            $server.ProxyProcess = $proxy.Process
            $server.Url = $proxy.Url
        }
        catch {
            Stop-RgwServer -Server $server
            throw
        }
    }
    $server
}

function Stop-RgwServer {
    param([Parameter(Mandatory)] [AllowNull()] $Server)
    if (-not $Server) { return }
    if ($Server.ProxyProcess -and -not $Server.ProxyProcess.HasExited) {
        $Server.ProxyProcess.Kill($true)
        $null = $Server.ProxyProcess.WaitForExit(5000)
    }
    if ($Server.StateDir -and (Test-Path $Server.StateDir)) {
        # Test clusters hold nothing worth a clean shutdown: radosgw gets 2 s after SIGTERM, then SIGKILL.
        $savedGrace = $env:RGW_STOP_GRACE
        $env:RGW_STOP_GRACE = '2'
        try { & bash (Join-Path $PSScriptRoot 'rgw/rgw.sh') stop $Server.StateDir 2>&1 | Out-Null }
        finally { Restore-EnvironmentVariable -Name RGW_STOP_GRACE -Value $savedGrace }
    }
}

function New-RgwUser {
    <# Creates an RGW user with radosgw-admin (RGW has no IAM CreateUser/CreateAccessKey) and returns its keys. #>
    param(
        [Parameter(Mandatory)] $Server,
        [Parameter(Mandatory)] [string] $UserName,
        [string] $Tenant,
        [Nullable[int]] $MaxBuckets,
        [string] $Caps
    )
    $arguments = @('user', $Server.StateDir, $UserName)
    if ($Tenant) { $arguments += '--tenant', $Tenant }
    if ($null -ne $MaxBuckets) { $arguments += '--max-buckets', "$MaxBuckets" }
    if ($Caps) { $arguments += '--caps', $Caps }
    $lines = & bash (Join-Path $PSScriptRoot 'rgw/rgw.sh') @arguments 2>&1
    if ($LASTEXITCODE -ne 0) { throw "radosgw-admin could not create user '$UserName': $($lines -join ' ')" }
    $values = @{}
    foreach ($line in $lines) { if ("$line" -match '^RGW_USER_([A-Z_]+)=(.*)$') { $values[$Matches[1]] = $Matches[2] } }
    [pscustomobject]@{ UserName = $UserName; Tenant = $Tenant; UserId = $values['UID']; AccessKey = $values['ACCESS_KEY']; SecretKey = $values['SECRET_KEY'] }
}

function Invoke-RgwAdmin {
    <# Runs radosgw-admin against the server's cluster and returns its output (JSON text for most commands). #>
    param([Parameter(Mandatory)] $Server, [Parameter(Mandatory, ValueFromRemainingArguments)] [string[]] $Arguments)
    $output = & radosgw-admin -c $Server.Conf -n client.admin @Arguments 2>$null
    if ($LASTEXITCODE -ne 0) { throw "radosgw-admin $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
    $output -join "`n"
}

function Start-RgwRecording {
    <# Marks the counting proxy's log: Get-RgwCall returns only the requests received after this. #>
    param([Parameter(Mandatory)] $Server)
    if (-not $Server.ProxyLog) { throw 'Start-RgwServer was called without -CountingProxy' }
    $Server.RecordingMark = @(Get-Content -Path $Server.ProxyLog).Count
}

function Get-RgwCall {
    <#
    Every request the server received since Start-RgwRecording, as the proxy in front of it saw it, in the shape of
    Get-MotoCall: Service (iam, sts, s3), Operation (the IAM/STS Action, or 'METHOD /path?subresource'), Name,
    IsWrite, Status and AccessKey.
    #>
    param([Parameter(Mandatory)] $Server)
    if (-not $Server.ProxyLog) { throw 'Start-RgwServer was called without -CountingProxy' }
    $all = @(Get-Content -Path $Server.ProxyLog)
    foreach ($line in ($all | Select-Object -Skip $Server.RecordingMark)) {
        if (-not $line.Trim()) { continue }
        $entry = $line | ConvertFrom-Json
        if ($entry.action) {
            $service = if ($entry.action -in 'GetCallerIdentity', 'AssumeRole', 'AssumeRoleWithWebIdentity', 'GetSessionToken') { 'sts' } else { 'iam' }
            $operation = $entry.action
            $isWrite = $operation -notmatch '^(Get|List)'
        }
        else {
            $service = 's3'
            $sub = ($entry.query -split '&' | Where-Object { $_ } | ForEach-Object { ($_ -split '=')[0] }) -join '&'
            $operation = "$($entry.method) $($entry.path)" + $(if ($sub) { "?$sub" } else { '' })
            $isWrite = $entry.method -in 'PUT', 'POST', 'DELETE'
        }
        [pscustomobject]@{ Service = $service; Operation = $operation; Name = $entry.name; IsWrite = $isWrite; Status = [int]$entry.status; AccessKey = $entry.accessKey }
    }
}

function Get-RgwWriteCall {
    param([Parameter(Mandatory)] $Server)
    @(Get-RgwCall -Server $Server | Where-Object IsWrite)
}

Export-ModuleMember -Function Start-RgwServer, Stop-RgwServer, New-RgwUser, Invoke-RgwAdmin, Start-RgwRecording, Get-RgwCall, Get-RgwWriteCall

function Invoke-RgwRequest {
    <#
    One signed request straight to the store (not through the module, nor the counting proxy), to check its real
    state: returns Status (int), Body and Headers. The keys are passed in the child's environment only.
    #>
    param(
        [Parameter(Mandatory)] $Server,
        [Parameter(Mandatory)] [string] $AccessKey,
        [Parameter(Mandatory)] [string] $SecretKey,
        [Parameter(Mandatory)] [string] $Method,
        [Parameter(Mandatory)] [string] $Path,
        [string] $Body = '',
        [string[]] $Header = @(),
        [ValidateSet('s3', 'iam')] [string] $Service = 's3'
    )
    $savedAccess = $env:S3REQ_ACCESS_KEY; $savedSecret = $env:S3REQ_SECRET_KEY
    try {
        $env:S3REQ_ACCESS_KEY = $AccessKey; $env:S3REQ_SECRET_KEY = $SecretKey
        $arguments = @((Join-Path $PSScriptRoot 'rgw/s3req.py'), $Method, ($Server.Endpoint + $Path), '--service', $Service)
        if ($Body) { $arguments += '--body', $Body }
        foreach ($h in $Header) { $arguments += '--header', $h }
        $json = & python3 @arguments
        if ($LASTEXITCODE -ne 0) { throw "tests/rgw/s3req.py $Method $Path failed" }
        $json | ConvertFrom-Json
    }
    finally {
        Restore-EnvironmentVariable -Name S3REQ_ACCESS_KEY -Value $savedAccess
        Restore-EnvironmentVariable -Name S3REQ_SECRET_KEY -Value $savedSecret
    }
}

Export-ModuleMember -Function Invoke-RgwRequest

# ---- moto test files' common set-up, and the recording proxy in front of any server -----------------------------

function Enter-MotoTestSession {
    <#
    The BeforeAll that moto test files share: imports the built module, starts a moto server (with -ServerEnvironment
    set in its environment only, e.g. @{ MOTO_S3_ALLOW_CROSSACCOUNT_ACCESS = 'false' }) and points AWS_ENDPOINT_URL,
    AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION at it, AWS_PROFILE removed; the previous values are kept in
    the returned server's SavedEnvironment for Exit-MotoTestSession. Throws when moto does not start.
    #>
    param(
        [string] $AccessKey = 'AKIAMOTOTESTSESSION01',
        [string] $SecretKey = 'moto-test-secret-not-real',
        [string] $Region = 'us-east-1',
        [hashtable] $ServerEnvironment = @{}
    )
    Import-BuiltModule
    $savedServer = @{}
    foreach ($name in $ServerEnvironment.Keys) { $savedServer[$name] = [Environment]::GetEnvironmentVariable($name); Set-Item "Env:$name" -Value $ServerEnvironment[$name] }
    try { $moto = Start-MotoServer }
    finally { foreach ($name in $savedServer.Keys) { Restore-EnvironmentVariable -Name $name -Value $savedServer[$name] } }
    $saved = @{}
    foreach ($name in 'AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_PROFILE') {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name)
    }
    $env:AWS_ENDPOINT_URL = $moto.Url
    $env:AWS_ACCESS_KEY_ID = $AccessKey
    $env:AWS_SECRET_ACCESS_KEY = $SecretKey
    $env:AWS_REGION = $Region
    Remove-Item Env:AWS_PROFILE -ErrorAction SilentlyContinue
    $moto | Add-Member -NotePropertyName SavedEnvironment -NotePropertyValue $saved -PassThru
}

function Exit-MotoTestSession {
    <# The matching AfterAll: restores the AWS_* variables Enter-MotoTestSession changed and stops its moto server. #>
    param([Parameter(Mandatory)] [AllowNull()] $Server)
    if (-not $Server) { return }
    foreach ($name in $Server.SavedEnvironment.Keys) { Restore-EnvironmentVariable -Name $name -Value $Server.SavedEnvironment[$name] }
    Stop-MotoServer $Server
}

function Start-CountingProxy {
    <#
    Starts tests/rgw/count-proxy.py in front of a server on 127.0.0.1 (moto or RGW), logging to -LogPath (one JSON line
    per request the server received, written before the client gets its answer); with -RecordHeader, those request
    headers and the SigV4 SignedHeaders too. Returns Url (point the module here), Process and Log. Throws when it does
    not start.
    #>
    param([Parameter(Mandatory)] [string] $TargetUrl, [Parameter(Mandatory)] [string] $LogPath, [string[]] $RecordHeader = @())
    $null = New-Item -ItemType File -Path $LogPath -Force
    $info = [System.Diagnostics.ProcessStartInfo]::new('python3')
    foreach ($a in (Join-Path $PSScriptRoot 'rgw/count-proxy.py'), '--target', $TargetUrl, '--log', $LogPath) { $info.ArgumentList.Add($a) }
    foreach ($h in $RecordHeader) { $info.ArgumentList.Add('--record-header'); $info.ArgumentList.Add($h) }
    $info.RedirectStandardOutput = $true
    $info.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($info)
    $read = $process.StandardOutput.ReadLineAsync()
    if (-not $read.Wait(15000) -or $read.Result -notmatch '^PROXY_URL=(.+)$') {
        if (-not $process.HasExited) { $process.Kill($true) }
        throw 'the counting proxy (tests/rgw/count-proxy.py) did not start'
    }
    [pscustomobject]@{ Url = $Matches[1]; Process = $process; Log = $LogPath }
}

function Stop-CountingProxy {
    param([Parameter(Mandatory)] [AllowNull()] $Proxy)
    if ($Proxy -and $Proxy.Process -and -not $Proxy.Process.HasExited) {
        $Proxy.Process.Kill($true)
        $null = $Proxy.Process.WaitForExit(5000)
    }
}

Export-ModuleMember -Function Enter-MotoTestSession, Exit-MotoTestSession, Start-CountingProxy, Stop-CountingProxy

# ---- test files' common AWS environment (moto, the fault proxy, RGW) and awscli against the server -------------

function Enter-AwsTestEnvironment {
    <#
    Points AWS_ENDPOINT_URL at -EndpointUrl with -AccessKey/-SecretKey and us-east-1 (AWS_REGION and AWS_DEFAULT_REGION),
    removes AWS_PROFILE, AWS_SHARED_CREDENTIALS_FILE and BACKUPIAM_REQUEST_TIMEOUT, and makes a fresh work folder
    (-WorkPrefix plus a GUID, under the temp folder) holding BACKUPIAM_STATE_DIR ('state'). Returns Work and
    SavedEnvironment (the previous values) for Exit-AwsTestEnvironment.
    #>
    param(
        [Parameter(Mandatory)] [string] $EndpointUrl,
        [Parameter(Mandatory)] [string] $AccessKey,
        [Parameter(Mandatory)] [string] $SecretKey,
        [Parameter(Mandatory)] [string] $WorkPrefix
    )
    $saved = @{}
    foreach ($name in 'AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE',
        'AWS_SHARED_CREDENTIALS_FILE', 'BACKUPIAM_STATE_DIR', 'BACKUPIAM_REQUEST_TIMEOUT') {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name)
    }
    $env:AWS_ENDPOINT_URL = $EndpointUrl
    $env:AWS_ACCESS_KEY_ID = $AccessKey
    $env:AWS_SECRET_ACCESS_KEY = $SecretKey
    $env:AWS_REGION = 'us-east-1'
    $env:AWS_DEFAULT_REGION = 'us-east-1'
    Remove-Item Env:AWS_PROFILE, Env:AWS_SHARED_CREDENTIALS_FILE, Env:BACKUPIAM_REQUEST_TIMEOUT -ErrorAction SilentlyContinue
    $work = Join-Path ([System.IO.Path]::GetTempPath()) ($WorkPrefix + [guid]::NewGuid())
    $null = New-Item -ItemType Directory -Path $work
    $env:BACKUPIAM_STATE_DIR = Join-Path $work 'state'
    [pscustomobject]@{ Work = $work; SavedEnvironment = $saved }
}

function Exit-AwsTestEnvironment {
    <# The matching AfterAll: restores the variables Enter-AwsTestEnvironment changed and removes its work folder. #>
    param([Parameter(Mandatory)] [AllowNull()] $Environment)
    if (-not $Environment) { return }
    foreach ($name in $Environment.SavedEnvironment.Keys) { Restore-EnvironmentVariable -Name $name -Value $Environment.SavedEnvironment[$name] }
    Remove-Item -Recurse -Force $Environment.Work -ErrorAction SilentlyContinue
}

function Invoke-AwsS3Api {
    <# awscli's s3api straight against -EndpointUrl with the environment's keys: the JSON answer as objects ($null for none). Throws when it fails. #>
    param([Parameter(Mandatory, Position = 0)] [string] $EndpointUrl, [Parameter(ValueFromRemainingArguments)] [string[]] $Arguments)
    $out = & aws --endpoint-url $EndpointUrl --output json s3api @Arguments 2>&1
    if ($LASTEXITCODE -ne 0) { throw "aws s3api $($Arguments -join ' ') failed: $out" }
    $text = ($out | Out-String).Trim()
    if ($text) { $text | ConvertFrom-Json } else { $null }
}

function Add-BucketPolicyStatement {
    <# Someone else's statement, appended with awscli (straight against -EndpointUrl) to what the bucket policy holds now; the policy file goes to -WorkFolder. #>
    param([Parameter(Mandatory)] [string] $EndpointUrl, [Parameter(Mandatory)] [string] $Bucket, [Parameter(Mandatory)] [hashtable] $Statement, [Parameter(Mandatory)] [string] $WorkFolder)
    $policy = (Invoke-AwsS3Api $EndpointUrl get-bucket-policy --bucket $Bucket).Policy | ConvertFrom-Json
    $policy.Statement = @($policy.Statement) + [pscustomobject]$Statement
    $file = Join-Path $WorkFolder "$Bucket-policy.json"
    Set-Content -Path $file -Value ($policy | ConvertTo-Json -Depth 10)
    $null = Invoke-AwsS3Api $EndpointUrl put-bucket-policy --bucket $Bucket --policy "file://$file"
}

Export-ModuleMember -Function Enter-AwsTestEnvironment, Exit-AwsTestEnvironment, Invoke-AwsS3Api, Add-BucketPolicyStatement

# ---- fault test files' common set-up (tests/faults) --------------------------------------------------------------

function Enter-FaultTestSession {
    <#
    The BeforeAll that the fault test files share (after Import-BuiltModule): starts a moto server and the fault proxy in
    front of it and points the environment at the proxy with Enter-AwsTestEnvironment (-AccessKey, -SecretKey,
    -WorkPrefix). Returns Moto, Proxy, Work and SavedEnvironment for Exit-FaultTestSession. Throws when moto or the
    proxy does not start.
    #>
    param(
        [Parameter(Mandatory)] [string] $AccessKey,
        [Parameter(Mandatory)] [string] $SecretKey,
        [Parameter(Mandatory)] [string] $WorkPrefix
    )
    $moto = Start-MotoServer
    try { $proxy = Start-FaultProxy -TargetUrl $moto.Url }
    catch { Stop-MotoServer $moto; throw }
    $environment = Enter-AwsTestEnvironment -EndpointUrl $proxy.Url -AccessKey $AccessKey -SecretKey $SecretKey -WorkPrefix $WorkPrefix
    [pscustomobject]@{ Moto = $moto; Proxy = $proxy; Work = $environment.Work; SavedEnvironment = $environment.SavedEnvironment }
}

function Exit-FaultTestSession {
    <# The matching AfterAll: stops the proxy and moto, restores the variables and removes the work folder. #>
    param([Parameter(Mandatory)] [AllowNull()] $Session)
    if (-not $Session) { return }
    Stop-FaultProxy $Session.Proxy
    Stop-MotoServer $Session.Moto
    Exit-AwsTestEnvironment $Session
}

function Get-FaultProxyWriteStep {
    <#
    The write requests in the proxy's request log, in order, each as Service, Operation and Nth (which request of that
    operation it was, reads counted): after a clean run, the steps a fault suite breaks one at a time.
    #>
    param([Parameter(Mandatory)] $Proxy)
    $seen = @{}
    foreach ($request in (Get-FaultProxyRequest -Proxy $Proxy)) {
        $key = "$($request.service) $($request.operation)"
        $seen[$key] = 1 + [int]$seen[$key]
        if ($request.write) { [pscustomobject]@{ Service = $request.service; Operation = $request.operation; Nth = $seen[$key] } }
    }
}

function Stop-CommandAtFault {
    <#
    Runs -Script (PowerShell text) in a runspace of its own with the built module imported, and stops it (what Ctrl+C
    does) once -Proxy reports the injected fault (the proxy holds the step's request), the run ends, or 60 s pass.
    Returns what the command wrote before it stopped. Throws when it does not stop within 10 s.
    #>
    param([Parameter(Mandatory)] $Proxy, [Parameter(Mandatory)] [string] $Script)
    $ps = [powershell]::Create()
    $null = $ps.AddScript("Import-Module '$(Get-BuiltModuleManifest)'; $Script")
    $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
    $inputData = [System.Management.Automation.PSDataCollection[psobject]]::new()
    $inputData.Complete()
    $handle = $ps.BeginInvoke($inputData, $output)
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while (-not @(Get-FaultReport -Proxy $Proxy).Count -and -not $handle.IsCompleted -and [DateTime]::UtcNow -lt $deadline) {
        Start-Sleep -Milliseconds 20
    }
    $stop = $ps.BeginStop($null, $null)
    if (-not $stop.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(10))) { throw 'The command did not stop within 10 s of Ctrl+C' }
    $outputs = @($output)
    $ps.Dispose()
    $outputs
}

function Get-FaultKind {
    <#
    The faults a fault suite injects at each write step, in order: name -> a scriptblock (operation, nth) that makes the
    proxy rule for that step's request. 500 and throttling persist for the whole faulty run (every retry meets them too);
    the others happen once. 'late': the request reaches the server only after the client's timeout per attempt
    (-Timeout, in seconds; IAM, S3 alike). 'ctrl-c': the request is held while the run is stopped, and the server carries
    it out only after the run has stopped. $env:BACKUPIAM_FAULT_KINDS (e.g. 'drop-after,ctrl-c') keeps a part.
    #>
    param([Parameter(Mandatory)] [int] $Timeout)
    $lateSeconds = $Timeout + 1
    $faults = [ordered]@{
        '500'         = { param($op, $nth) @{ Operation = $op; Nth = $nth; Fault = '500'; Times = 0 } }
        'throttle'    = { param($op, $nth) @{ Operation = $op; Nth = $nth; Fault = 'throttle'; Times = 0 } }
        'drop-before' = { param($op, $nth) @{ Operation = $op; Nth = $nth; Fault = 'drop-before' } }
        'drop-after'  = { param($op, $nth) @{ Operation = $op; Nth = $nth; Fault = 'drop-after' } }
        'truncate'    = { param($op, $nth) @{ Operation = $op; Nth = $nth; Fault = 'truncate' } }
        'late'        = { param($op, $nth) @{ Operation = $op; Nth = $nth; Fault = 'delay-before'; Seconds = $lateSeconds } }.GetNewClosure()
        'ctrl-c'      = { param($op, $nth) @{ Operation = $op; Nth = $nth; Fault = 'delay-before'; Seconds = 1 } }
    }
    if ($env:BACKUPIAM_FAULT_KINDS) {
        $wanted = $env:BACKUPIAM_FAULT_KINDS -split ','
        foreach ($k in @($faults.Keys)) { if ($k -notin $wanted) { $faults.Remove($k) } }
    }
    $faults
}

Export-ModuleMember -Function Enter-FaultTestSession, Exit-FaultTestSession, Get-FaultProxyWriteStep, Stop-CommandAtFault, Get-FaultKind
