# Issue 15, "Tear down": Remove-BackupUser and Remove-BackupGroup against the BUILT module, through the fault proxy in
# front of a real moto server. The user to remove has everything that keeps a user alive (two access keys, two group
# memberships, an inline and an attached policy, a console password, an MFA device), the last three set up with boto3
# straight against moto. Each write step is broken with each kind of fault; re-running the same command must finish the job.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    Import-BuiltModule
    $script:session = Enter-FaultTestSession -AccessKey 'AKIATEARDOWNTEST0001' -SecretKey 'teardown-test-secret-not-real' -WorkPrefix 'bi-teardown-'
    $script:moto, $script:proxy, $script:work = $script:session.Moto, $script:session.Proxy, $script:session.Work
    $script:timeout = 2
    $script:policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"}]}'

    # What the module does not create (an attached managed policy, a console password, an MFA device), made with
    # boto3 straight against moto (not through the proxy). One python process per call of Invoke-Moto.
    $script:botoScript = @'
import sys, json, boto3
url, op, args = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1", aws_access_key_id="AKIATEARDOWNSETUP001", aws_secret_access_key="x")
if op == "load-user":
    n, doc = args["name"], args["policy"]
    iam.put_user_policy(UserName=n, PolicyName="inline1", PolicyDocument=doc)
    arn = iam.create_policy(PolicyName=n + "-managed", PolicyDocument=doc)["Policy"]["Arn"]
    iam.attach_user_policy(UserName=n, PolicyArn=arn)
    iam.create_login_profile(UserName=n, Password="Not-a-real-password-123!")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=n + "-mfa")["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(UserName=n, SerialNumber=serial, AuthenticationCode1="123456", AuthenticationCode2="654321")
    print(json.dumps({"PolicyArn": arn}))
elif op == "group-policies":
    iam.put_group_policy(GroupName=args["group"], PolicyName="ginline", PolicyDocument=args["policy"])
    iam.attach_group_policy(GroupName=args["group"], PolicyArn=args["arn"])
    print("{}")
elif op == "state":
    users = [u["UserName"] for u in iam.list_users()["Users"]]
    groups = {}
    for g in iam.list_groups()["Groups"]:
        groups[g["GroupName"]] = [u["UserName"] for u in iam.get_group(GroupName=g["GroupName"])["Users"]]
    policies = [p["Arn"] for p in iam.list_policies(Scope="Local")["Policies"]]
    print(json.dumps({"Users": users, "Groups": groups, "Policies": policies}))
'@

    function Invoke-Moto {
        param([string] $Operation, [hashtable] $Arguments = @{})
        $out = & python3 -c $script:botoScript $script:moto.Url $Operation (ConvertTo-Json $Arguments -Compress) 2>&1
        if ($LASTEXITCODE -ne 0) { throw "boto3 $Operation failed: $out" }
        ($out | Out-String) | ConvertFrom-Json
    }

    function New-LoadedUser {
        # A user with everything that keeps it alive; returns the names involved.
        param([string] $Name)
        Set-FaultRule -Proxy $script:proxy
        $null = New-BackupUser -UserName $Name -ErrorAction Stop
        $null = New-BackupAccessKey -UserName $Name -ErrorAction Stop
        $null = New-BackupAccessKey -UserName $Name -Additional -ErrorAction Stop
        foreach ($g in "$Name-g1", "$Name-g2") { $null = New-BackupGroup -GroupName $g -ErrorAction Stop; $null = Add-BackupUserToGroup -UserName $Name -GroupName $g -ErrorAction Stop }
        $loaded = Invoke-Moto load-user @{ name = $Name; policy = $script:policy }
        [pscustomobject]@{ Name = $Name; Groups = @("$Name-g1", "$Name-g2"); PolicyArn = $loaded.PolicyArn }
    }

    function Test-UserGone {
        param($World)
        $problems = [System.Collections.Generic.List[string]]::new()
        $state = Invoke-Moto state
        if ($World.Name -in $state.Users) { $problems.Add("user $($World.Name) still exists") }
        foreach ($g in $World.Groups) {
            if ($g -notin $state.Groups.PSObject.Properties.Name) { $problems.Add("group $g was removed too") }
            elseif (@($state.Groups.$g).Count) { $problems.Add("group $g still has members") }
        }
        if ($World.PolicyArn -notin $state.Policies) { $problems.Add('the managed policy was deleted (only detaching is expected)') }
        $problems
    }

    function Get-WriteCall { @(Get-FaultProxyRequest -Proxy $script:proxy | Where-Object write) }
}

AfterAll {
    Exit-FaultTestSession $script:session
}

Describe 'Remove-BackupUser' {
    It 'removes keys, memberships, policies, login profile and MFA device, then the user; a re-run writes nothing' {
        $w = New-LoadedUser td-full
        Reset-FaultProxy -Proxy $script:proxy
        $result = Remove-BackupUser -UserName td-full -Confirm:$false -ErrorAction Stop
        $result.Status | Should -Be 'Removed'
        $result.Changes | Should -Be @('iam:DeleteAccessKey', 'iam:DeleteAccessKey', 'iam:RemoveUserFromGroup', 'iam:RemoveUserFromGroup',
            'iam:DeleteUserPolicy', 'iam:DetachUserPolicy', 'iam:DeleteLoginProfile', 'iam:DeactivateMFADevice', 'iam:DeleteUser')
        @(Get-WriteCall).operation | Should -Be @('DeleteAccessKey', 'DeleteAccessKey', 'RemoveUserFromGroup', 'RemoveUserFromGroup',
            'DeleteUserPolicy', 'DetachUserPolicy', 'DeleteLoginProfile', 'DeactivateMFADevice', 'DeleteUser')
        Test-UserGone $w | Should -BeNullOrEmpty
        Reset-FaultProxy -Proxy $script:proxy
        $again = Remove-BackupUser -UserName td-full -Confirm:$false -ErrorAction Stop
        $again.Status | Should -Be 'NotFound'
        @(Get-WriteCall).Count | Should -Be 0
    }

    It 'makes no write call under -WhatIf and shows every call' {
        $w = New-LoadedUser td-whatif
        Reset-FaultProxy -Proxy $script:proxy
        $transcript = Join-Path $script:work 'td-whatif.txt'
        Start-Transcript -Path $transcript -UseMinimalHeader | Out-Null
        try { $plan = Remove-BackupUser -UserName td-whatif -WhatIf }
        finally { Stop-Transcript | Out-Null }
        $plan.Status | Should -Be 'Planned'
        $plan.Changes.Count | Should -Be 9
        @(Get-WriteCall).Count | Should -Be 0
        $text = Get-Content -Raw $transcript
        foreach ($what in 'Delete access key', "Remove IAM user 'td-whatif' from group 'td-whatif-g1'", "Delete inline policy 'inline1'", "Detach managed policy $($w.PolicyArn)", 'Delete the console password', 'Deactivate MFA device', "Delete IAM user 'td-whatif'") {
            $text | Should -Match ([regex]::Escape($what))
        }
        (Invoke-Moto state).Users | Should -Contain 'td-whatif'
    }

    It 'refuses a bad user name before any call' {
        Reset-FaultProxy -Proxy $script:proxy
        { Remove-BackupUser -UserName 'no spaces allowed' -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'IamUserNameInvalid*'
        @(Get-FaultProxyRequest -Proxy $script:proxy).Count | Should -Be 0
    }

    It 'is finished by a re-run after <_> at each write step' -ForEach @('500', 'throttle', 'drop-before', 'drop-after', 'truncate', 'late') {
        $fault = $_
        $failures = [System.Collections.Generic.List[string]]::new()
        $i = 0
        foreach ($step in 'DeleteAccessKey', 'RemoveUserFromGroup', 'DeleteUserPolicy', 'DetachUserPolicy', 'DeleteLoginProfile', 'DeactivateMFADevice', 'DeleteUser') {
            $i++
            $w = New-LoadedUser "tdf-$($fault -replace '[^a-z0-9]', '')-$i"
            $rule = switch ($fault) {
                'late' { @{ Action = $step; Fault = 'delay-before'; Seconds = ($script:timeout + 1) } }
                { $_ -in '500', 'throttle' } { @{ Action = $step; Fault = $fault; Times = 0 } }
                default { @{ Action = $step; Fault = $fault } }
            }
            Reset-FaultProxy -Proxy $script:proxy
            Set-FaultRule -Proxy $script:proxy -Rule $rule
            $env:BACKUPIAM_REQUEST_TIMEOUT = "$($script:timeout)"
            try { $null = Remove-BackupUser -UserName $w.Name -Confirm:$false -ErrorAction SilentlyContinue 2>$null }
            finally { Remove-Item Env:BACKUPIAM_REQUEST_TIMEOUT -ErrorAction SilentlyContinue }
            $injected = @(Get-FaultReport -Proxy $script:proxy).Count
            if ($fault -eq 'late') { Start-Sleep -Seconds 1.5 }
            Set-FaultRule -Proxy $script:proxy
            $rerun = Remove-BackupUser -UserName $w.Name -Confirm:$false -ErrorVariable rerunFailed -ErrorAction SilentlyContinue
            $problems = [System.Collections.Generic.List[string]]::new()
            if (-not $injected) { $problems.Add('the fault was never injected') }
            if ($rerunFailed.Count) { $problems.Add("the re-run failed: $($rerunFailed[0])") }
            if ($rerun.Status -notin 'Removed', 'NotFound') { $problems.Add("the re-run ended with Status $($rerun.Status)") }
            foreach ($p in (Test-UserGone $w)) { $problems.Add($p) }
            if ($problems.Count) { $failures.Add("$fault at $step`: $($problems -join '; ')") }
        }
        $failures | Should -BeNullOrEmpty
    }
}

Describe 'Remove-BackupGroup' {
    It 'removes members, inline and attached policies, then the group, keeping the users; a re-run writes nothing' {
        $w = New-LoadedUser tdg-owner
        $group = $w.Groups[0]
        $null = New-BackupUser -UserName tdg-member2 -ErrorAction Stop
        $null = Add-BackupUserToGroup -UserName tdg-member2 -GroupName $group -ErrorAction Stop
        $null = Invoke-Moto group-policies @{ group = $group; policy = $script:policy; arn = $w.PolicyArn }
        Reset-FaultProxy -Proxy $script:proxy
        $result = Remove-BackupGroup -GroupName $group -Confirm:$false -ErrorAction Stop
        $result.Status | Should -Be 'Removed'
        $result.Changes | Should -Be @('iam:RemoveUserFromGroup', 'iam:RemoveUserFromGroup', 'iam:DeleteGroupPolicy', 'iam:DetachGroupPolicy', 'iam:DeleteGroup')
        $state = Invoke-Moto state
        $state.Groups.PSObject.Properties.Name | Should -Not -Contain $group
        $state.Users | Should -Contain 'tdg-member2'
        Reset-FaultProxy -Proxy $script:proxy
        (Remove-BackupGroup -GroupName $group -Confirm:$false -ErrorAction Stop).Status | Should -Be 'NotFound'
        @(Get-WriteCall).Count | Should -Be 0
    }

    It 'is finished by a re-run after a fault at each write step' -ForEach @('500', 'drop-after', 'truncate') {
        $fault = $_
        $failures = [System.Collections.Generic.List[string]]::new()
        $i = 0
        foreach ($step in 'RemoveUserFromGroup', 'DeleteGroupPolicy', 'DetachGroupPolicy', 'DeleteGroup') {
            $i++
            $w = New-LoadedUser "tdgf-$($fault -replace '[^a-z0-9]', '')-$i"
            $group = $w.Groups[0]
            $null = Invoke-Moto group-policies @{ group = $group; policy = $script:policy; arn = $w.PolicyArn }
            Reset-FaultProxy -Proxy $script:proxy
            Set-FaultRule -Proxy $script:proxy -Rule $(if ($fault -eq '500') { @{ Action = $step; Fault = $fault; Times = 0 } } else { @{ Action = $step; Fault = $fault } })
            $null = Remove-BackupGroup -GroupName $group -Confirm:$false -ErrorAction SilentlyContinue 2>$null
            $injected = @(Get-FaultReport -Proxy $script:proxy).Count
            Set-FaultRule -Proxy $script:proxy
            $rerun = Remove-BackupGroup -GroupName $group -Confirm:$false -ErrorVariable rerunFailed -ErrorAction SilentlyContinue
            $problems = [System.Collections.Generic.List[string]]::new()
            if (-not $injected) { $problems.Add('the fault was never injected') }
            if ($rerunFailed.Count) { $problems.Add("the re-run failed: $($rerunFailed[0])") }
            $state = Invoke-Moto state
            if ($state.Groups.PSObject.Properties.Name -contains $group) { $problems.Add("group $group still exists") }
            if ($state.Users -notcontains $w.Name) { $problems.Add('the member user was removed') }
            if ($problems.Count) { $failures.Add("$fault at $step`: $($problems -join '; ')") }
        }
        $failures | Should -BeNullOrEmpty
    }
}
