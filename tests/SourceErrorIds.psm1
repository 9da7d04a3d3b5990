# Collects the ErrorIds that the C# sources can raise, so that about_BackupIam_Errors cannot drift from them.
# The ids are stable PascalCase string literals in a few recognisable places:
#   - the first argument of a constructor of one of our exception types (BackupIamException and every class
#     derived from it), including ': base(...)' calls that name a FailureKind;
#   - the argument, at the parameter's position, of any method that declares a 'string errorId' parameter
#     (ErrorHelper.InvalidArgument, IamNames.ValidateName, ...);
#   - the second argument of 'new ErrorRecord(...)' (ErrorHelper's own ids);
#   - 'const string ...ErrorId = "..."' fields and 'errorId = ...;' assignments (also with ?: choices).

$script:IdLiteral = '"(?<id>[A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+)"'

function Get-CallArgument {
    # The top-level arguments of the call whose '(' is at $Open in $Text (string and char literals skipped).
    param([string] $Text, [int] $Open)
    $depth = 0; $start = $Open + 1; $arguments = [System.Collections.Generic.List[string]]::new()
    for ($i = $Open; $i -lt $Text.Length; $i++) {
        $c = $Text[$i]
        if ($c -eq '"') {
            $i++
            while ($i -lt $Text.Length -and $Text[$i] -ne '"') { if ($Text[$i] -eq '\') { $i++ }; $i++ }
            continue
        }
        if ($c -eq "'") { $i++; if ($Text[$i] -eq '\') { $i++ }; $i++; continue }
        if ($c -in '(', '[', '{') { $depth++; continue }
        if ($c -in ')', ']', '}') {
            $depth--
            if ($depth -eq 0) { $arguments.Add($Text.Substring($start, $i - $start)); break }
            continue
        }
        if ($c -eq ',' -and $depth -eq 1) { $arguments.Add($Text.Substring($start, $i - $start)); $start = $i + 1 }
    }
    , $arguments
}

function Get-SourceErrorId {
    <#
    .SYNOPSIS
        The ErrorIds used in the C# sources under $SourceRoot, each with the file it was found in.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $SourceRoot)

    $files = @(Get-ChildItem -Path $SourceRoot -Recurse -Filter *.cs | Where-Object FullName -NotMatch '[\\/](bin|obj)[\\/]' | ForEach-Object {
            # Whole-line comments go (doc comments quote ids in prose); code is kept as it is.
            [pscustomobject]@{ Path = $_.FullName; Text = ([System.IO.File]::ReadAllLines($_.FullName) | Where-Object { $_ -notmatch '^\s*//' }) -join "`n" }
        })

    # Our exception types: BackupIamException and everything derived from it, transitively.
    $bases = @{}
    foreach ($f in $files) {
        foreach ($m in [regex]::Matches($f.Text, 'class\s+(?<name>\w+)\s*:\s*(?<base>\w+)')) { $bases[$m.Groups['name'].Value] = $m.Groups['base'].Value }
    }
    $ours = [System.Collections.Generic.HashSet[string]]::new([string[]]@('BackupIamException'))
    do {
        $added = $false
        foreach ($name in @($bases.Keys)) { if ($ours.Contains($bases[$name]) -and $ours.Add($name)) { $added = $true } }
    } while ($added)

    # Methods with a 'string errorId' parameter, and its position.
    $errorIdMethods = @{}
    foreach ($f in $files) {
        foreach ($m in [regex]::Matches($f.Text, '\b(?<name>\w+)\s*\((?<params>[^()]*\bstring\??\s+errorId\b[^()]*)\)')) {
            if ($ours.Contains($m.Groups['name'].Value)) { continue }
            $names = @($m.Groups['params'].Value -split ',' | ForEach-Object { ($_.Trim() -split '\s+')[-1] -replace '=.*$', '' })
            $errorIdMethods[$m.Groups['name'].Value] = [array]::IndexOf($names, 'errorId')
        }
    }

    $found = [System.Collections.Generic.List[object]]::new()
    $add = {
        param($Text, $File)
        foreach ($m in [regex]::Matches([string]$Text, $script:IdLiteral)) { $found.Add([pscustomobject]@{ ErrorId = $m.Groups['id'].Value; File = $File }) }
    }
    foreach ($f in $files) {
        $t = $f.Text
        foreach ($m in [regex]::Matches($t, '\bnew\s+(?<type>\w+)\s*\(')) {
            $type = $m.Groups['type'].Value
            $arguments = Get-CallArgument $t ($m.Index + $m.Length - 1)
            if ($ours.Contains($type) -and $arguments.Count -gt 0) { & $add $arguments[0] $f.Path }
            elseif ($type -eq 'ErrorRecord' -and $arguments.Count -gt 1) { & $add $arguments[1] $f.Path }
        }
        foreach ($m in [regex]::Matches($t, ':\s*base\s*\(')) {
            $arguments = Get-CallArgument $t ($m.Index + $m.Length - 1)
            if ($arguments.Count -gt 1 -and ($arguments -join ',') -match 'FailureKind\.') { & $add $arguments[0] $f.Path }
        }
        foreach ($name in $errorIdMethods.Keys) {
            foreach ($m in [regex]::Matches($t, "(?<![\w.]\s*\b(?:void|string|ErrorRecord|bool|Exception)\s+)\b$name\s*\(")) {
                $arguments = Get-CallArgument $t ($m.Index + $m.Length - 1)
                $index = $errorIdMethods[$name]
                if ($index -ge 0 -and $arguments.Count -gt $index) { & $add $arguments[$index] $f.Path }
            }
        }
        foreach ($m in [regex]::Matches($t, 'const\s+string\s+\w*ErrorId\s*=\s*(?<rhs>[^;]+);')) { & $add $m.Groups['rhs'].Value $f.Path }
        foreach ($m in [regex]::Matches($t, '\berrorId\s*=\s*(?<rhs>[^;=][^;]*);')) { & $add $m.Groups['rhs'].Value $f.Path }
    }
    $found | Sort-Object ErrorId -Unique
}

Export-ModuleMember -Function Get-SourceErrorId
