# Issue 12 item 5: Ctrl+C during a request stops the command, against a server that never answers (the fault proxy
# withholds the answer forever). PowerShell.Stop() on a runspace is what Ctrl+C does to the running pipeline: it calls
# StopProcessing, which cancels the base cmdlet's CancellationTokenSource, which every engine call gets.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    $script:moto = Start-MotoServer
    $script:proxy = Start-FaultProxy -TargetUrl $script:moto.Url
    $script:manifest = Get-BuiltModuleManifest

    function Stop-WhileHung {
        # Starts the script in its own runspace, waits until the proxy holds the request, stops the pipeline, and
        # returns how it ended. The wait for the stop is bounded far below any request timeout (IAM's is 30 s per
        # attempt, S3's longer), so only cancellation can end it in time.
        param([string] $Script, [string] $Operation, [hashtable] $Rule)
        Reset-FaultProxy -Proxy $script:proxy
        Set-FaultRule -Proxy $script:proxy -Rule $Rule
        $ps = [powershell]::Create()
        $null = $ps.AddScript(@"
`$env:AWS_ENDPOINT_URL = '$($script:proxy.Url)'
`$env:AWS_ACCESS_KEY_ID = 'AKIACANCELTEST000001'
`$env:AWS_SECRET_ACCESS_KEY = 'cancel-test-secret-not-real'
`$env:AWS_REGION = 'us-east-1'
Import-Module '$($script:manifest)'
$Script
"@)
        $handle = $ps.BeginInvoke()
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while (-not (@(Get-FaultReport -Proxy $script:proxy | Where-Object operation -Like $Operation).Count) -and [DateTime]::UtcNow -lt $deadline) {
            Start-Sleep -Milliseconds 50
        }
        $held = @(Get-FaultReport -Proxy $script:proxy | Where-Object operation -Like $Operation).Count
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $stop = $ps.BeginStop($null, $null)
        $stopped = $stop.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(10))
        $watch.Stop()
        Write-Host ("  stop of '{0}' took {1:0} ms" -f $Operation, $watch.Elapsed.TotalMilliseconds)
        $result = [pscustomobject]@{ Held = $held; Stopped = $stopped; State = $ps.InvocationStateInfo.State }
        if ($stopped) { $ps.Dispose() }
        $result
    }
}

AfterAll {
    Stop-FaultProxy $script:proxy
    Stop-MotoServer $script:moto
}

Describe 'Ctrl+C during a request that is never answered' {
    It 'stops an IAM call (GetUser) in flight' {
        $r = Stop-WhileHung -Script 'New-BackupUser -UserName cancel-iam-user' -Operation 'GetUser' -Rule @{ Action = 'GetUser'; Fault = 'hang' }
        $r.Held | Should -Be 1 -Because 'the request was in flight, held by the proxy'
        $r.Stopped | Should -BeTrue -Because 'the pipeline must stop without waiting for an answer'
        $r.State | Should -Be 'Stopped'
    }

    It 'stops an S3 call (HeadBucket) in flight' {
        $r = Stop-WhileHung -Script 'New-BackupBucket -BucketName cancel-s3-bucket' -Operation 'HEAD /cancel-s3-bucket*' -Rule @{ Method = 'HEAD'; Path = '^/cancel-s3-bucket'; Fault = 'hang' }
        $r.Held | Should -Be 1
        $r.Stopped | Should -BeTrue
        $r.State | Should -Be 'Stopped'
    }

    It 'stops an IAM write (CreateUser) whose answer is withheld after the server acted' {
        $r = Stop-WhileHung -Script 'New-BackupUser -UserName cancel-iam-writer' -Operation 'CreateUser' -Rule @{ Action = 'CreateUser'; Fault = 'hang-after' }
        $r.Held | Should -Be 1
        $r.Stopped | Should -BeTrue
        $r.State | Should -Be 'Stopped'
    }
}
