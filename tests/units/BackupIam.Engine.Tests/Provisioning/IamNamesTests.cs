using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Provisioning;
using Xunit;

namespace BackupIam.Engine.Tests.Provisioning;

public sealed class IamNamesTests
{
    private static void AssertRejected(Action validate, string errorId, string parameterName)
    {
        var ex = Assert.Throws<InputValidationException>(validate);
        Assert.Equal(errorId, ex.ErrorId);
        Assert.Equal(parameterName, ex.ParameterName);
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
    }

    // ---- user names ----

    [Theory]
    [InlineData("backup-user")]
    [InlineData("a")]
    [InlineData("Backup_User+1=2,3.4@5-6")]
    public void UserNameAcceptsValidNames(string name)
    {
        IamNames.ValidateUserName(name);
        IamNames.ValidateUserName(new string('u', 64));
    }

    [Fact]
    public void UserNameRejectsNull() => AssertRejected(() => IamNames.ValidateUserName(null), "IamUserNameInvalid", "UserName");

    [Fact]
    public void UserNameRejectsEmpty() => AssertRejected(() => IamNames.ValidateUserName(""), "IamUserNameInvalid", "UserName");

    [Fact]
    public void UserNameRejectsMoreThan64Characters() => AssertRejected(() => IamNames.ValidateUserName(new string('u', 65)), "IamUserNameInvalid", "UserName");

    [Theory]
    [InlineData("backup user")]
    [InlineData("backup/user")]
    [InlineData("backup:user")]
    [InlineData("backup*")]
    public void UserNameRejectsForbiddenCharacters(string name) => AssertRejected(() => IamNames.ValidateUserName(name), "IamUserNameInvalid", "UserName");

    /// <summary>IAM allows ASCII letters and digits only (plus _+=,.@-); .NET's \w also matches other Unicode letters.</summary>
    [Theory]
    [InlineData("bäckup")]
    [InlineData("бэкап")]
    public void UserNameRejectsNonAsciiLetters(string name) => AssertRejected(() => IamNames.ValidateUserName(name), "IamUserNameInvalid", "UserName");

    [Fact]
    public void UserNameReportsTheCallersParameterName() => AssertRejected(() => IamNames.ValidateUserName("", "Identity"), "IamUserNameInvalid", "Identity");

    // ---- group names ----

    [Fact]
    public void GroupNameAcceptsUpTo128Characters()
    {
        IamNames.ValidateGroupName("BackupUsers");
        IamNames.ValidateGroupName(new string('g', 128));
    }

    [Fact]
    public void GroupNameRejectsEmpty() => AssertRejected(() => IamNames.ValidateGroupName(""), "IamGroupNameInvalid", "GroupName");

    [Fact]
    public void GroupNameRejectsMoreThan128Characters() => AssertRejected(() => IamNames.ValidateGroupName(new string('g', 129)), "IamGroupNameInvalid", "GroupName");

    [Fact]
    public void GroupNameRejectsForbiddenCharacters() => AssertRejected(() => IamNames.ValidateGroupName("Backup Users"), "IamGroupNameInvalid", "GroupName");

    // ---- policy names ----

    [Fact]
    public void PolicyNameAcceptsUpTo128Characters()
    {
        IamNames.ValidatePolicyName("UploadFilesToBackup");
        IamNames.ValidatePolicyName(new string('p', 128));
    }

    [Fact]
    public void PolicyNameRejectsEmpty() => AssertRejected(() => IamNames.ValidatePolicyName(""), "IamPolicyNameInvalid", "PolicyName");

    [Fact]
    public void PolicyNameRejectsMoreThan128Characters() => AssertRejected(() => IamNames.ValidatePolicyName(new string('p', 129)), "IamPolicyNameInvalid", "PolicyName");

    [Fact]
    public void PolicyNameRejectsForbiddenCharacters() => AssertRejected(() => IamNames.ValidatePolicyName("Upload#Files"), "IamPolicyNameInvalid", "PolicyName");

    // ---- paths ----

    [Theory]
    [InlineData(null)]
    [InlineData("/")]
    [InlineData("/backup/")]
    [InlineData("/backup/veeam/")]
    public void PathAcceptsValidPaths(string? path)
    {
        IamNames.ValidatePath(path);
        IamNames.ValidatePath("/" + new string('p', 510) + "/");
    }

    [Theory]
    [InlineData("backup/")]
    [InlineData("/backup")]
    [InlineData("")]
    public void PathRejectsMissingSlashes(string path) => AssertRejected(() => IamNames.ValidatePath(path), "IamPathInvalid", "Path");

    [Fact]
    public void PathRejectsNonAscii() => AssertRejected(() => IamNames.ValidatePath("/bäckup/"), "IamPathInvalid", "Path");

    [Fact]
    public void PathRejectsSpaces() => AssertRejected(() => IamNames.ValidatePath("/my backup/"), "IamPathInvalid", "Path");

    [Fact]
    public void PathRejectsMoreThan512Characters() => AssertRejected(() => IamNames.ValidatePath("/" + new string('p', 511) + "/"), "IamPathInvalid", "Path");

    // ---- policy ARNs ----

    [Theory]
    [InlineData(null)]
    [InlineData("arn:aws:iam::123456789012:policy/BackupBoundary")]
    [InlineData("arn:aws:iam::aws:policy/ReadOnlyAccess")]
    [InlineData("arn:aws-us-gov:iam::123456789012:policy/path/Boundary")]
    public void PolicyArnAcceptsManagedPolicyArns(string? arn) => IamNames.ValidatePolicyArn(arn, "PermissionsBoundary");

    [Theory]
    [InlineData("BackupBoundary")]
    [InlineData("arn:aws:iam::12345:policy/BackupBoundary")]
    [InlineData("arn:aws:iam::123456789012:user/backup")]
    [InlineData("arn:aws:s3:::bucket")]
    [InlineData("arn:aws:iam::123456789012:policy/")]
    public void PolicyArnRejectsOtherStrings(string arn) => AssertRejected(() => IamNames.ValidatePolicyArn(arn, "PermissionsBoundary"), "IamPolicyArnInvalid", "PermissionsBoundary");

    // ---- tags ----

    [Fact]
    public void TagsAcceptNullAndValidTags()
    {
        IamNames.ValidateTags(null);
        var tags = Enumerable.Range(0, 50).ToDictionary(i => "key" + i, i => "value");
        tags["k"] = new string('v', 256);
        tags.Remove("key0");
        tags[new string('k', 128)] = "";
        tags.Remove("key1");
        IamNames.ValidateTags(tags);
    }

    [Fact]
    public void TagsRejectMoreThan50() =>
        AssertRejected(() => IamNames.ValidateTags(Enumerable.Range(0, 51).ToDictionary(i => "key" + i, i => "v")), "IamTagInvalid", "Tag");

    [Fact]
    public void TagsRejectEmptyKey() => AssertRejected(() => IamNames.ValidateTags(new Dictionary<string, string> { [""] = "v" }), "IamTagInvalid", "Tag");

    [Fact]
    public void TagsRejectKeyLongerThan128() =>
        AssertRejected(() => IamNames.ValidateTags(new Dictionary<string, string> { [new string('k', 129)] = "v" }), "IamTagInvalid", "Tag");

    [Theory]
    [InlineData("aws:purpose")]
    [InlineData("AWS:purpose")]
    public void TagsRejectAwsPrefix(string key) => AssertRejected(() => IamNames.ValidateTags(new Dictionary<string, string> { [key] = "v" }), "IamTagInvalid", "Tag");

    [Fact]
    public void TagsRejectValueLongerThan256() =>
        AssertRejected(() => IamNames.ValidateTags(new Dictionary<string, string> { ["purpose"] = new string('v', 257) }, "Tags"), "IamTagInvalid", "Tags");

    // ---- credential profile names ----

    [Theory]
    [InlineData(null)]
    [InlineData("mysite-backup")]
    [InlineData("A.b_c-1")]
    public void ProfileNameAcceptsValidNames(string? name)
    {
        IamNames.ValidateProfileName(name);
        IamNames.ValidateProfileName(new string('p', 64));
    }

    [Fact]
    public void ProfileNameRejectsEmpty() => AssertRejected(() => IamNames.ValidateProfileName(""), "ProfileNameInvalid", "StoreAs");

    [Fact]
    public void ProfileNameRejectsMoreThan64Characters() => AssertRejected(() => IamNames.ValidateProfileName(new string('p', 65)), "ProfileNameInvalid", "StoreAs");

    [Theory]
    [InlineData("my site")]
    [InlineData("[default]")]
    [InlineData("site=backup")]
    [InlineData("bäckup")]
    public void ProfileNameRejectsOtherCharacters(string name) => AssertRejected(() => IamNames.ValidateProfileName(name), "ProfileNameInvalid", "StoreAs");
}
