using Xunit;
using BackupIam.Engine.Completion;

namespace BackupIam.Engine.Tests.Completion;

public sealed class CompletionSourceTests
{
    [Fact]
    public void ProfileNamesComeFromSectionHeadersOfBothFiles()
    {
        string folder = Path.Combine(Path.GetTempPath(), "completion-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            string credentials = Path.Combine(folder, "credentials");
            string config = Path.Combine(folder, "config");
            File.WriteAllText(credentials, "[default]\naws_access_key_id = AKIA1\naws_secret_access_key = [not-a-section]\n[ keys ]\n");
            File.WriteAllText(config, "[default]\nregion = eu-west-1\n[profile sso]\n[sso-session corp]\n[services dev]\n[profile keys]\n");

            IReadOnlyList<ProfileEntry> all = CompletionSource.ProfileNames("", credentials, config);
            Assert.Equal(new[] { "default", "keys", "sso" }, all.Select(p => p.Name));
            Assert.Equal(config, all.Single(p => p.Name == "sso").File);
            Assert.Equal(new[] { "sso" }, CompletionSource.ProfileNames("s", credentials, config).Select(p => p.Name));
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [Fact]
    public void MissingFilesGiveNoProfiles()
    {
        Assert.Empty(CompletionSource.ProfileNames("", "/nonexistent/credentials", null));
    }

    [Fact]
    public void RegionsAreThePartitionsUnlessAPrefixNamesAnother()
    {
        IReadOnlyList<string> aws = CompletionSource.RegionNames("", null);
        Assert.Contains("us-east-1", aws);
        Assert.DoesNotContain("cn-north-1", aws);
        Assert.All(CompletionSource.RegionNames("", "cn-northwest-1"), r => Assert.StartsWith("cn-", r));
        Assert.Equal(new[] { "us-gov-east-1", "us-gov-west-1" }, CompletionSource.RegionNames("us-gov-", null));
    }

    [Fact]
    public void PresetNamesMatchThePrefixIgnoringCase()
    {
        Assert.Equal(new[] { "UpdraftPlus", "UpdraftPlusSecure" }, CompletionSource.PresetNames("upd"));
    }
}
