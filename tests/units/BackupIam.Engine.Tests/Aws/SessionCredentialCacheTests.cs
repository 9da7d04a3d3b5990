using System;
using System.Collections.Generic;
using System.IO;
using Xunit;
using BackupIam.Engine.Aws;
using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Tests.Aws;

/// <summary>Credentials and region resolved once per session for the same profile inputs (issue 16).</summary>
public sealed class SessionCredentialCacheTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "bi-credcache-" + Guid.NewGuid().ToString("N"));
    private readonly string _file;

    public SessionCredentialCacheTests()
    {
        Directory.CreateDirectory(_dir);
        _file = Path.Combine(_dir, "credentials");
        File.WriteAllText(_file,
            "[alpha]\naws_access_key_id = AKIAALPHA0000000001\naws_secret_access_key = alpha-secret\nregion = eu-west-1\n\n"
            + "[beta]\naws_access_key_id = AKIABETA00000000001\naws_secret_access_key = beta-secret\nregion = eu-central-1\n");
    }

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
    }

    private AwsSession Create(string profile) =>
        AwsSessionFactory.Create(new AwsConnectionSettings { ProfileName = profile, ProfileLocation = _file }, new Dictionary<string, string?>());

    [Fact]
    public void The_same_profile_twice_is_resolved_once_and_gives_the_same_credentials_object()
    {
        AwsSession first = Create("alpha");
        AwsSession second = Create("alpha");

        Assert.Equal(CredentialResolution.Resolved, first.CredentialResolution);
        Assert.Equal(CredentialResolution.Cached, second.CredentialResolution);
        Assert.Same(first.Credentials, second.Credentials);
        Assert.Equal("eu-west-1", second.RegionName);
    }

    [Fact]
    public void Another_profile_is_not_served_from_the_cache()
    {
        AwsSession alpha = Create("alpha");
        AwsSession beta = Create("beta");

        Assert.Equal(CredentialResolution.Resolved, beta.CredentialResolution);
        Assert.NotSame(alpha.Credentials, beta.Credentials);
        Assert.Equal("AKIABETA00000000001", beta.Credentials.GetCredentials().AccessKey);
        Assert.Equal("eu-central-1", beta.RegionName);
    }

    [Fact]
    public void An_edited_credentials_file_is_read_again()
    {
        AwsSession before = Create("alpha");
        Assert.Equal("AKIAALPHA0000000001", before.Credentials.GetCredentials().AccessKey);

        File.WriteAllText(_file, "[alpha]\naws_access_key_id = AKIAALPHA0000000002\naws_secret_access_key = alpha-secret-2\nregion = ap-south-1\n");
        AwsSession after = Create("alpha");

        Assert.Equal(CredentialResolution.Resolved, after.CredentialResolution);
        Assert.Equal("AKIAALPHA0000000002", after.Credentials.GetCredentials().AccessKey);
        Assert.Equal("ap-south-1", after.RegionName);
    }

    [Fact]
    public void A_profile_removed_from_the_file_is_not_found_any_more()
    {
        Create("beta");
        File.WriteAllText(_file, "[alpha]\naws_access_key_id = AKIAALPHA0000000001\naws_secret_access_key = alpha-secret\n");

        var ex = Assert.Throws<InputValidationException>(() => Create("beta"));
        Assert.Equal("AwsProfileNotFound", ex.ErrorId);
    }

    [Fact]
    public void Explicit_keys_are_never_cached()
    {
        var settings = new AwsConnectionSettings { AccessKey = "AKIAEXPLICIT0000001", SecretKey = "x" };
        AwsSession first = AwsSessionFactory.Create(settings, new Dictionary<string, string?>());
        AwsSession second = AwsSessionFactory.Create(new AwsConnectionSettings { AccessKey = "AKIAEXPLICIT0000001", SecretKey = "x" }, new Dictionary<string, string?>());

        Assert.Equal(CredentialResolution.Explicit, first.CredentialResolution);
        Assert.Equal(CredentialResolution.Explicit, second.CredentialResolution);
        Assert.NotSame(first.Credentials, second.Credentials);
    }

    [Fact]
    public void The_stamp_changes_with_size_and_last_write_time_and_when_a_file_appears()
    {
        string other = Path.Combine(_dir, "other");
        string missing = SessionCredentialCache.Stamp(new[] { other });
        File.WriteAllText(other, "a");
        string created = SessionCredentialCache.Stamp(new[] { other });
        File.SetLastWriteTimeUtc(other, DateTime.UtcNow.AddMinutes(5));
        string touched = SessionCredentialCache.Stamp(new[] { other });

        Assert.NotEqual(missing, created);
        Assert.NotEqual(created, touched);
        Assert.Equal(touched, SessionCredentialCache.Stamp(new[] { other }));
    }
}
