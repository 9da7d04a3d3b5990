using System;
using System.Management.Automation;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Policies;

namespace BackupIam.Abstractions
{
    /// <summary>
    /// Shared base of the cmdlets that read policies from -Policy (objects, text, lines) or -Path (files):
    /// Test-BackupPolicy and Get-BackupPolicyFinding. It joins lines into documents, names policies by position, and
    /// reports a missing or unreadable file and goes on with the others. The parameters themselves are declared by each
    /// cmdlet, because their parameter sets differ (PowerShell reads parameter-set attributes per property).
    /// </summary>
    public abstract class PolicyInputCmdlet : BackupIamCmdlet
    {
        /// <summary>The parameter set of -Policy.</summary>
        private protected const string InputSet = "Input";

        /// <summary>The parameter set of -Path.</summary>
        private protected const string PathSet = "Path";

        private readonly PolicyLineCollector _lines = new PolicyLineCollector();
        private int _count;

        /// <summary>
        /// Reads -Path: every resolved file is handed to <paramref name="sink"/>; a path that resolves to nothing or a
        /// file that cannot be read is reported as a non-terminating error, and the other paths are still read.
        /// </summary>
        private protected void ReadPaths(string[] paths, string parameterName, Action<ParsedPolicy, object> sink)
        {
            foreach (string path in paths)
            {
                try
                {
                    foreach (string resolved in GetResolvedProviderPathFromPSPath(path, out _))
                    {
                        try
                        {
                            sink(PolicySource.FromFile(resolved, parameterName), resolved);
                        }
                        catch (BackupIamException ex)
                        {
                            WriteFailure(ex, resolved);
                        }
                    }
                }
                catch (ItemNotFoundException ex)
                {
                    WriteFailure(ex, path);
                }
            }
        }

        /// <summary>
        /// Reads -Policy items: strings are joined line by line into documents, other objects are read at once. A policy
        /// that cannot be read goes to <paramref name="failed"/> with the item it came from.
        /// </summary>
        private protected void ReadItems(object[] items, string parameterName, Action<ParsedPolicy, object> sink, Action<BackupIamException, object> failed)
        {
            foreach (object item in items)
            {
                object unwrapped = item is PSObject ps ? ps.BaseObject : item;
                if (unwrapped is string line)
                {
                    // Get-Content without -Raw sends one line at a time: join them into whole documents.
                    string? whole = _lines.Add(line);
                    if (whole != null)
                    {
                        ReadText(whole, parameterName, sink, failed);
                    }

                    continue;
                }

                FlushLines(parameterName, sink, failed);
                int position = ++_count;
                try
                {
                    sink(PolicyInput.FromObject(item, parameterName, position).Parsed, item);
                }
                catch (BackupIamException ex)
                {
                    failed(ex, item);
                }
            }
        }

        /// <summary>Reads the lines still waiting for the rest of their document (call it from EndProcessing).</summary>
        private protected void FlushLines(string parameterName, Action<ParsedPolicy, object> sink, Action<BackupIamException, object> failed)
        {
            string? pending = _lines.Flush();
            if (pending != null)
            {
                ReadText(pending, parameterName, sink, failed);
            }
        }

        private void ReadText(string text, string parameterName, Action<ParsedPolicy, object> sink, Action<BackupIamException, object> failed)
        {
            int position = ++_count;
            try
            {
                sink(PolicySource.FromText(text, $"Policy{position}", parameterName), text);
            }
            catch (BackupIamException ex)
            {
                failed(ex, text);
            }
        }
    }
}
