using System;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace BackupIam.Abstractions
{
    /// <summary>
    /// Loads BackupIam.Format.ps1xml into a runspace the first time one of our cmdlets runs there, rather than at
    /// Import-Module: processing a format file costs a cold pwsh about 100 ms, which would double the import time.
    /// </summary>
    internal static class FormatLoader
    {
        private static readonly ConditionalWeakTable<Runspace, object> Loaded = new ConditionalWeakTable<Runspace, object>();
        private static readonly Lazy<string?> FormatFile = new Lazy<string?>(FindFormatFile);

        /// <summary>Loading the views is no change to announce: it runs with -WhatIf:$false and -Confirm:$false.</summary>
        public static void EnsureLoaded(PSCmdlet cmdlet)
        {
            Runspace? runspace = Runspace.DefaultRunspace;
            string? path = FormatFile.Value;
            if (runspace == null || path == null)
            {
                return;
            }

            lock (Loaded)
            {
                if (Loaded.TryGetValue(runspace, out _))
                {
                    return;
                }

                Loaded.Add(runspace, new object());
            }

            cmdlet.SessionState.InvokeCommand.InvokeScript(
                false, ScriptBlock.Create("param($path) Update-FormatData -PrependPath $path -WhatIf:$false -Confirm:$false"), null, path);
        }

        private static string? FindFormatFile()
        {
            // The module lays out <root>/bin/BackupIam.dll and <root>/BackupIam.Format.ps1xml.
            string? bin = Path.GetDirectoryName(typeof(FormatLoader).Assembly.Location);
            if (string.IsNullOrEmpty(bin))
            {
                return null;
            }

            string candidate = Path.GetFullPath(Path.Combine(bin, "..", "BackupIam.Format.ps1xml"));
            return File.Exists(candidate) ? candidate : null;
        }
    }
}
