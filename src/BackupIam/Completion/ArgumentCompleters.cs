using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using BackupIam.Engine.Aws;
using BackupIam.Engine.Completion;

namespace BackupIam.Completion
{
    /// <summary>Shared plumbing: the word typed so far (quotes removed) and results quoted when they need it.</summary>
    internal abstract class CompleterBase : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(
            string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string word = (wordToComplete ?? "").Trim('\'', '"');
            try
            {
                return Complete(word, fakeBoundParameters ?? new Hashtable()).ToList();
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                // Completion never fails the prompt: it offers nothing instead.
                return Array.Empty<CompletionResult>();
            }
        }

        private protected abstract IEnumerable<CompletionResult> Complete(string word, IDictionary bound);

        private protected static CompletionResult Result(string value, string toolTip)
        {
            string text = value.IndexOfAny(new[] { ' ', '\'', '"', '$', '`', ';', '(', ')', '{', '}', '@', '#', ',' }) >= 0
                ? "'" + value.Replace("'", "''") + "'"
                : value;
            return new CompletionResult(text, value, CompletionResultType.ParameterValue, string.IsNullOrEmpty(toolTip) ? value : toolTip);
        }

        private protected static string? Bound(IDictionary bound, string name)
        {
            object? value = bound.Contains(name) ? bound[name] : null;
            value = value is PSObject ps ? ps.BaseObject : value;
            return value is string s && s.Length > 0 ? s : null;
        }
    }

    /// <summary>-Preset: the preset names.</summary>
    internal sealed class PresetCompleter : CompleterBase
    {
        private protected override IEnumerable<CompletionResult> Complete(string word, IDictionary bound) =>
            CompletionSource.PresetNames(word).Select(n => Result(n, "Preset " + n));
    }

    /// <summary>-Region: the partition's regions (another partition's with a prefix such as cn- or us-gov-).</summary>
    internal sealed class RegionCompleter : CompleterBase
    {
        private protected override IEnumerable<CompletionResult> Complete(string word, IDictionary bound)
        {
            string? current = Environment.GetEnvironmentVariable("AWS_REGION");
            if (string.IsNullOrEmpty(current))
            {
                current = Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION");
            }

            return CompletionSource.RegionNames(word, current).Select(n => Result(n, n));
        }
    }

    /// <summary>-ProfileName: profile names from the credentials and config files (section headers only, never a value).</summary>
    internal sealed class ProfileNameCompleter : CompleterBase
    {
        private protected override IEnumerable<CompletionResult> Complete(string word, IDictionary bound)
        {
            string? location = Bound(bound, "ProfileLocation");
            string credentials = location ?? CompletionSource.DefaultCredentialsFile();
            string? config = location == null ? CompletionSource.DefaultConfigFile() : null;
            return CompletionSource.ProfileNames(word, credentials, config).Select(p => Result(p.Name, "Profile " + p.Name + " in " + p.File));
        }
    }

    /// <summary>Names listed from AWS with the command line's credentials, region and endpoint; nothing after about 1 s.</summary>
    internal abstract class AwsNameCompleter : CompleterBase
    {
        private protected static AwsConnectionSettings Settings(IDictionary bound)
        {
            var settings = new AwsConnectionSettings
            {
                ProfileName = Bound(bound, "ProfileName"),
                ProfileLocation = Bound(bound, "ProfileLocation"),
                AccessKey = Bound(bound, "AccessKey"),
                SecretKey = Bound(bound, "SecretKey"),
                SessionToken = Bound(bound, "SessionToken"),
                Region = Bound(bound, "Region"),
                EndpointUrl = Bound(bound, "EndpointUrl"),
            };
            if (settings.ProfileLocation != null && settings.ProfileName == null)
            {
                settings.ProfileName = "default";
            }

            // AWS.Tools' session defaults, as the cmdlet itself would use them (Set-AWSCredential, Set-DefaultAWSRegion).
            if (settings.AccessKey == null && settings.ProfileName == null && !bound.Contains("Credential"))
            {
                object? stored = SessionVariable("StoredAWSCredentials");
                if (stored != null)
                {
                    settings.CredentialObject = stored;
                    settings.CredentialObjectName = "$StoredAWSCredentials";
                }
            }

            if (bound.Contains("Credential"))
            {
                object? credential = bound["Credential"];
                settings.CredentialObject = credential is PSObject wrapped ? wrapped.BaseObject : credential;
            }

            if (settings.Region == null && SessionVariable("StoredAWSRegion") is object region)
            {
                settings.Region = region.ToString();
            }

            return settings;
        }

        private static object? SessionVariable(string name)
        {
            using (PowerShell ps = PowerShell.Create(RunspaceMode.CurrentRunspace))
            {
                ps.AddCommand("Get-Variable").AddParameter("Name", name).AddParameter("Scope", "Global").AddParameter("ValueOnly")
                    .AddParameter("ErrorAction", ActionPreference.Ignore);
                var found = ps.Invoke();
                object? value = found.Count > 0 ? found[0]?.BaseObject : null;
                return value is string s && s.Length == 0 ? null : value;
            }
        }
    }

    /// <summary>-UserName: IAM users (iam:ListUsers).</summary>
    internal sealed class UserNameCompleter : AwsNameCompleter
    {
        private protected override IEnumerable<CompletionResult> Complete(string word, IDictionary bound) =>
            CompletionSource.UserNames(Settings(bound), word).Select(n => Result(n, "IAM user " + n));
    }

    /// <summary>-GroupName: IAM groups (iam:ListGroups).</summary>
    internal sealed class GroupNameCompleter : AwsNameCompleter
    {
        private protected override IEnumerable<CompletionResult> Complete(string word, IDictionary bound) =>
            CompletionSource.GroupNames(Settings(bound), word).Select(n => Result(n, "IAM group " + n));
    }

    /// <summary>-BucketName: the caller's buckets (s3:ListAllMyBuckets).</summary>
    internal sealed class BucketNameCompleter : AwsNameCompleter
    {
        private protected override IEnumerable<CompletionResult> Complete(string word, IDictionary bound) =>
            CompletionSource.BucketNames(Settings(bound), word).Select(n => Result(n, "Bucket " + n));
    }
}
