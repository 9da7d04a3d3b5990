using BackupIam.Engine.Aws;
using BackupIam.Engine.Errors;
using Xunit;

namespace BackupIam.Engine.Tests.Aws;

/// <summary>Issue 11, "a secret in an error message": a malformed credentials file is described, never quoted.</summary>
public sealed class CredentialFileDiagnosticsTests : IDisposable
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "bi-cred-" + Guid.NewGuid().ToString("N"));

    public CredentialFileDiagnosticsTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, true);

    private string WriteFile(string text)
    {
        string path = Path.Combine(_dir, "credentials");
        File.WriteAllText(path, text);
        return path;
    }

    private static void AssertNoSecret(Exception ex)
    {
        for (Exception? e = ex; e != null; e = e.InnerException)
        {
            Assert.DoesNotContain(Secret, e.Message);
            Assert.DoesNotContain("wJalr", e.ToString());
        }
    }

    [Fact]
    public void ProfileLocationWithAMissingEqualsNamesFileLineAndProfileButNotTheSecret()
    {
        string path = WriteFile("[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n\n[other]\naws_access_key_id = AKIAOTHER\naws_secret_access_key " + Secret + "\n");
        var ex = Assert.ThrowsAny<BackupIamException>(() => AwsSessionFactory.Create(
            new AwsConnectionSettings { ProfileName = "default", ProfileLocation = path }, new Dictionary<string, string?>()));

        Assert.Equal("AwsProfileFileMalformed", ex.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, ex.Kind);
        Assert.Contains("'" + path + "'", ex.Message);
        Assert.Contains("line 6 (profile 'other')", ex.Message);
        Assert.Contains("the setting aws_secret_access_key has no '='", ex.Message);
        Assert.Equal("ProfileLocation", ((InputValidationException)ex).ParameterName);
        AssertNoSecret(ex);
    }

    [Theory]
    [InlineData("[p]\n" + Secret + "\n", "line 2 (profile 'p'): the line has no '='")]
    [InlineData("[p\naws_access_key_id = x\n", "line 1: a profile header starts with '['")]
    [InlineData("# c\n[profile p]\n= " + Secret + "\n", "line 3 (profile 'p'): the line starts with '='")]
    public void ProblemsAreDescribedWithoutTheLine(string text, string expected)
    {
        string? problem = CredentialFileDiagnostics.FindProblem(WriteFile(text));
        Assert.NotNull(problem);
        Assert.StartsWith(expected, problem);
        Assert.DoesNotContain("wJalr", problem);
    }

    [Fact]
    public void AWellFormedFileHasNoProblem()
    {
        Assert.Null(CredentialFileDiagnostics.FindProblem(WriteFile("[default]\n; comment\naws_access_key_id = A\naws_secret_access_key = " + Secret + "\n")));
    }

    [Fact]
    public void WithoutProfileLocationTheDefaultFilesAreSearchedForTheBadLine()
    {
        string good = Path.Combine(_dir, "config");
        File.WriteAllText(good, "[default]\nregion = eu-west-1\n");
        string bad = WriteFile("[default]\naws_secret_access_key " + Secret + "\n");
        var env = new Dictionary<string, string?> { ["AWS_SHARED_CREDENTIALS_FILE"] = bad, ["AWS_CONFIG_FILE"] = good, ["HOME"] = _dir };

        Assert.Equal(new[] { bad, good }, AwsSessionFactory.ProfileFileCandidates(null, env));
        var ex = CredentialFileDiagnostics.Malformed(new[] { good, bad }, "ProfileName");
        Assert.Equal("AwsProfileFileMalformed", ex.ErrorId);
        Assert.Contains("'" + bad + "'", ex.Message);
        Assert.Contains("line 2 (profile 'default')", ex.Message);
        AssertNoSecret(ex);
    }
}
