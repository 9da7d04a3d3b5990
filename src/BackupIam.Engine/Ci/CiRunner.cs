using System;
using System.Collections.Generic;
using System.IO;
using System.Security;
using System.Text;
using System.Text.RegularExpressions;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Secrets;

namespace BackupIam.Engine.Ci
{
    /// <summary>The CI runner a command runs on, as its environment says.</summary>
    public enum CiRunnerKind
    {
        None,

        /// <summary>GitHub Actions: <c>GITHUB_ACTIONS=true</c>.</summary>
        GitHubActions,

        /// <summary>Azure Pipelines: <c>TF_BUILD=True</c>.</summary>
        AzurePipelines,
    }

    /// <summary>
    /// Issue 15, Secrets: what a new access key's secret needs on a CI runner before the module writes it anywhere a later
    /// step could print it (a credentials-file profile, a pipeline variable). The runner reads workflow commands from the
    /// process's standard output, so they are written to the writer given (the cmdlets give <see cref="Console.Out"/>:
    /// not the PowerShell pipeline, not the host, and so not a transcript):
    /// <list type="bullet">
    /// <item>GitHub Actions: <c>::add-mask::SECRET</c> (the runner replaces the value with *** in every later log line);
    /// a pipeline variable is a step output, appended to the file <c>$GITHUB_OUTPUT</c> names, after the mask.</item>
    /// <item>Azure Pipelines: <c>##vso[task.setsecret]SECRET</c> for a key that is only stored; a pipeline variable is
    /// <c>##vso[task.setvariable variable=PREFIX_SECRET_ACCESS_KEY;issecret=true]SECRET</c> (a secret variable is masked
    /// by the agent) and the key id as a plain variable.</item>
    /// </list>
    /// A mask command carries the secret itself, so it is written only when the module is about to write the secret out,
    /// never for a secret that is only returned as a SecureString.
    /// </summary>
    public sealed class CiRunner
    {
        private const string SecretSuffix = "_SECRET_ACCESS_KEY";
        private const string KeyIdSuffix = "_ACCESS_KEY_ID";
        private static readonly Regex VariablePrefix = new Regex("^[A-Za-z_][A-Za-z0-9_]{0,99}$", RegexOptions.CultureInvariant);
        private readonly HashSet<string> _masked = new HashSet<string>(StringComparer.Ordinal);

        private CiRunner(CiRunnerKind kind, string? gitHubOutput)
        {
            Kind = kind;
            GitHubOutputPath = gitHubOutput;
        }

        public CiRunnerKind Kind { get; }

        /// <summary>GitHub Actions: the file step outputs are appended to (<c>$GITHUB_OUTPUT</c>).</summary>
        public string? GitHubOutputPath { get; }

        /// <summary>Reads <c>GITHUB_ACTIONS</c>, <c>TF_BUILD</c> and <c>GITHUB_OUTPUT</c> through <paramref name="environment"/>.</summary>
        public static CiRunner Detect(Func<string, string?> environment)
        {
            if (string.Equals(environment("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase))
            {
                string? output = environment("GITHUB_OUTPUT");
                return new CiRunner(CiRunnerKind.GitHubActions, string.IsNullOrEmpty(output) ? null : output);
            }

            if (string.Equals(environment("TF_BUILD"), "True", StringComparison.OrdinalIgnoreCase))
            {
                return new CiRunner(CiRunnerKind.AzurePipelines, null);
            }

            return new CiRunner(CiRunnerKind.None, null);
        }

        /// <summary>The names of the two variables a prefix gives: the key id's and the secret's.</summary>
        public static (string KeyId, string Secret) VariableNames(string prefix) => (prefix + KeyIdSuffix, prefix + SecretSuffix);

        /// <summary>
        /// Checks a pipeline-variable prefix, and that this runner can take pipeline variables, before any call.
        /// </summary>
        public void ValidateVariablePrefix(string prefix, string parameterName)
        {
            if (prefix == null || !VariablePrefix.IsMatch(prefix))
            {
                throw new InputValidationException("PipelineVariableNameInvalid", parameterName,
                    $"-{parameterName} '{prefix}' is not a pipeline variable prefix: 1 to 100 letters, digits and underscores, not starting with a digit, " +
                    $"for example -{parameterName} BACKUP (which sets BACKUP{KeyIdSuffix} and BACKUP{SecretSuffix}).");
            }

            if (Kind == CiRunnerKind.None)
            {
                throw new InputValidationException("PipelineVariableUnavailable", parameterName,
                    $"-{parameterName} sets variables of a CI runner, and this is not one: neither GITHUB_ACTIONS=true (GitHub Actions) nor TF_BUILD=True (Azure Pipelines) is set. " +
                    "Outside a runner, store the key with -StoreAs or keep the SecureString the command returns.");
            }

            if (Kind == CiRunnerKind.GitHubActions && GitHubOutputPath == null)
            {
                throw new InputValidationException("PipelineVariableUnavailable", parameterName,
                    $"-{parameterName} on GitHub Actions appends step outputs to the file GITHUB_OUTPUT names, and GITHUB_OUTPUT is not set. Run the command in a workflow step (the runner sets it).");
            }
        }

        /// <summary>
        /// Registers the secret with the runner's log masking before it is written out (once per key; nothing off a
        /// runner). Call it before writing the secret to a file or a variable.
        /// </summary>
        public void Mask(string accessKeyId, SecureString secret, TextWriter stdout)
        {
            if (Kind == CiRunnerKind.None || !_masked.Add(accessKeyId))
            {
                return;
            }

            string plain = Plain(secret);
            string line = Kind == CiRunnerKind.GitHubActions
                ? "::add-mask::" + EscapeGitHubData(plain)
                : "##vso[task.setsecret]" + EscapeAzureData(plain);
            stdout.WriteLine(line);
            stdout.Flush();
        }

        /// <summary>
        /// Sets <c>PREFIX_ACCESS_KEY_ID</c> and (as a secret) <c>PREFIX_SECRET_ACCESS_KEY</c>. GitHub Actions: masks the
        /// secret first, then appends both to <c>$GITHUB_OUTPUT</c>. Azure Pipelines: two <c>task.setvariable</c>
        /// commands, the secret one with <c>issecret=true</c>. Returns the names set.
        /// </summary>
        public string[] SetVariables(string prefix, string accessKeyId, SecureString secret, TextWriter stdout)
        {
            (string idName, string secretName) = VariableNames(prefix);
            switch (Kind)
            {
                case CiRunnerKind.GitHubActions:
                    Mask(accessKeyId, secret, stdout);
                    string text = OutputLine(idName, accessKeyId) + OutputLine(secretName, Plain(secret));
                    File.AppendAllText(GitHubOutputPath!, text, new UTF8Encoding(false));
                    break;
                case CiRunnerKind.AzurePipelines:
                    _masked.Add(accessKeyId); // a secret variable is masked by the agent
                    stdout.WriteLine($"##vso[task.setvariable variable={secretName};issecret=true]{EscapeAzureData(Plain(secret))}");
                    stdout.WriteLine($"##vso[task.setvariable variable={idName}]{EscapeAzureData(accessKeyId)}");
                    stdout.Flush();
                    break;
                default:
                    throw new InvalidOperationException("No CI runner to set pipeline variables on.");
            }

            return new[] { idName, secretName };
        }

        /// <summary>A <c>$GITHUB_OUTPUT</c> line, <c>NAME=value</c>; a value with a line break has no such form, so it is refused.</summary>
        private static string OutputLine(string name, string value)
        {
            if (value.IndexOf('\n') >= 0 || value.IndexOf('\r') >= 0)
            {
                throw new BackupIamException("PipelineVariableValueInvalid", FailureKind.InvalidData,
                    $"The value of step output {name} has a line break, which a GitHub step output line cannot hold; nothing was written for it.");
            }

            return name + "=" + value + "\n";
        }

        /// <summary>GitHub's workflow-command data escaping (actions/toolkit escapeData).</summary>
        private static string EscapeGitHubData(string value) => value.Replace("%", "%25").Replace("\r", "%0D").Replace("\n", "%0A");

        /// <summary>Azure Pipelines' logging-command message escaping.</summary>
        private static string EscapeAzureData(string value) => value.Replace("%", "%AZP25").Replace("\r", "%0D").Replace("\n", "%0A");

        private static string Plain(SecureString secret) => SecretText.Reveal(secret);
    }
}
