using System.Security;
using BackupIam.Engine.Ci;
using BackupIam.Engine.Errors;
using Xunit;

namespace BackupIam.Engine.Tests.Ci;

/// <summary>Issue 15, Secrets: the workflow commands a CI runner gets, to the character.</summary>
public sealed class CiRunnerTests : IDisposable
{
    private const string KeyId = "AKIAEXAMPLEKEY000001";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "bi-ci-" + Guid.NewGuid().ToString("N"));

    public CiRunnerTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static CiRunner Runner(params (string Name, string Value)[] variables)
    {
        var env = variables.ToDictionary(v => v.Name, v => v.Value);
        return CiRunner.Detect(name => env.TryGetValue(name, out string? value) ? value : null);
    }

    private static SecureString Secure(string value)
    {
        var s = new SecureString();
        foreach (char c in value)
        {
            s.AppendChar(c);
        }

        return s;
    }

    [Theory]
    [InlineData("GITHUB_ACTIONS", "true", CiRunnerKind.GitHubActions)]
    [InlineData("GITHUB_ACTIONS", "TRUE", CiRunnerKind.GitHubActions)]
    [InlineData("GITHUB_ACTIONS", "false", CiRunnerKind.None)]
    [InlineData("TF_BUILD", "True", CiRunnerKind.AzurePipelines)]
    [InlineData("TF_BUILD", "1", CiRunnerKind.None)]
    [InlineData("CI", "true", CiRunnerKind.None)]
    public void DetectsTheRunnerFromItsOwnVariable(string name, string value, CiRunnerKind expected)
    {
        Assert.Equal(expected, Runner((name, value)).Kind);
    }

    [Fact]
    public void GitHubMaskIsOneAddMaskLinePerKey()
    {
        CiRunner runner = Runner(("GITHUB_ACTIONS", "true"));
        var stdout = new StringWriter();
        runner.Mask(KeyId, Secure(Secret), stdout);
        runner.Mask(KeyId, Secure(Secret), stdout);
        Assert.Equal("::add-mask::" + Secret + Environment.NewLine, stdout.ToString());
    }

    [Fact]
    public void AzureMaskIsTaskSetSecret()
    {
        var stdout = new StringWriter();
        Runner(("TF_BUILD", "True")).Mask(KeyId, Secure("a%b"), stdout);
        Assert.Equal("##vso[task.setsecret]a%AZP25b" + Environment.NewLine, stdout.ToString());
    }

    [Fact]
    public void NoRunnerNoMask()
    {
        var stdout = new StringWriter();
        Runner().Mask(KeyId, Secure(Secret), stdout);
        Assert.Equal(string.Empty, stdout.ToString());
    }

    [Fact]
    public void GitHubVariablesAreMaskedFirstThenAppendedAsStepOutputs()
    {
        string output = Path.Combine(_dir, "output");
        File.WriteAllText(output, "earlier=1\n");
        CiRunner runner = Runner(("GITHUB_ACTIONS", "true"), ("GITHUB_OUTPUT", output));
        var stdout = new StringWriter();
        string[] names = runner.SetVariables("BACKUP", KeyId, Secure(Secret), stdout);
        Assert.Equal(new[] { "BACKUP_ACCESS_KEY_ID", "BACKUP_SECRET_ACCESS_KEY" }, names);
        Assert.Equal("::add-mask::" + Secret + Environment.NewLine, stdout.ToString());
        Assert.Equal("earlier=1\nBACKUP_ACCESS_KEY_ID=" + KeyId + "\nBACKUP_SECRET_ACCESS_KEY=" + Secret + "\n", File.ReadAllText(output));
    }

    [Fact]
    public void AzureVariablesAreASecretOneAndAPlainKeyId()
    {
        var stdout = new StringWriter();
        Runner(("TF_BUILD", "True")).SetVariables("BK", KeyId, Secure(Secret), stdout);
        Assert.Equal(
            "##vso[task.setvariable variable=BK_SECRET_ACCESS_KEY;issecret=true]" + Secret + Environment.NewLine +
            "##vso[task.setvariable variable=BK_ACCESS_KEY_ID]" + KeyId + Environment.NewLine,
            stdout.ToString());
    }

    [Theory]
    [InlineData("1BACKUP", "PipelineVariableNameInvalid")]
    [InlineData("BACK-UP", "PipelineVariableNameInvalid")]
    [InlineData("BACK UP", "PipelineVariableNameInvalid")]
    [InlineData("BACKUP", null)]
    [InlineData("_b4ckup", null)]
    public void PrefixRule(string prefix, string? errorId)
    {
        CiRunner runner = Runner(("TF_BUILD", "True"));
        if (errorId == null)
        {
            runner.ValidateVariablePrefix(prefix, "SetPipelineVariable");
            return;
        }

        var ex = Assert.Throws<InputValidationException>(() => runner.ValidateVariablePrefix(prefix, "SetPipelineVariable"));
        Assert.Equal(errorId, ex.ErrorId);
        Assert.Equal("SetPipelineVariable", ex.ParameterName);
        Assert.Contains("'" + prefix + "'", ex.Message);
    }

    [Fact]
    public void VariablesNeedARunnerAndOnGitHubAnOutputFile()
    {
        Assert.Equal("PipelineVariableUnavailable", Assert.Throws<InputValidationException>(() => Runner().ValidateVariablePrefix("BACKUP", "SetPipelineVariable")).ErrorId);
        var ex = Assert.Throws<InputValidationException>(() => Runner(("GITHUB_ACTIONS", "true")).ValidateVariablePrefix("BACKUP", "SetPipelineVariable"));
        Assert.Equal("PipelineVariableUnavailable", ex.ErrorId);
        Assert.Contains("GITHUB_OUTPUT", ex.Message);
    }
}
