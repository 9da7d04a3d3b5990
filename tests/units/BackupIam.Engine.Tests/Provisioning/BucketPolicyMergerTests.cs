using Xunit;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Provisioning;

namespace BackupIam.Engine.Tests.Provisioning;

/// <summary>BucketPolicyMerger is pure: these tests need no AWS.</summary>
public sealed class BucketPolicyMergerTests
{
    private const string Principal = "{\"AWS\":\"arn:aws:iam::123456789012:user/backup\"}";

    private static string Statement(string? sid, string action, string resource = "arn:aws:s3:::bkt/*", string effect = "Allow")
    {
        string sidPart = sid == null ? string.Empty : $"\"Sid\":\"{sid}\",";
        return $"{{{sidPart}\"Effect\":\"{effect}\",\"Principal\":{Principal},\"Action\":\"{action}\",\"Resource\":\"{resource}\"}}";
    }

    private static PolicyDocument Doc(params string[] statements) =>
        PolicyJson.Parse("{\"Version\":\"2012-10-17\",\"Statement\":[" + string.Join(",", statements) + "]}");

    private static string[] Sids(PolicyDocument doc) => doc.Statements.Select(s => s.Sid ?? "(no Sid)").ToArray();

    [Fact]
    public void MergeIntoNullGivesTheDesiredPolicy()
    {
        PolicyDocument desired = Doc(Statement("A", "s3:PutObject"), Statement("B", "s3:ListBucket", "arn:aws:s3:::bkt"));

        BucketPolicyMerge merge = BucketPolicyMerger.Merge(null, desired, replace: false);

        Assert.True(merge.Changed);
        Assert.Equal(PolicyJson.ToJson(desired), PolicyJson.ToJson(merge.Result));
        Assert.Equal(new[] { "A", "B" }, merge.Added);
        Assert.Empty(merge.Replaced);
        Assert.Empty(merge.Kept);
    }

    [Fact]
    public void SameSidStatementIsReplacedInPlaceAndReportedAsReplaced()
    {
        PolicyDocument existing = Doc(Statement("A", "s3:GetObject"), Statement("B", "s3:PutObject"), Statement("C", "s3:ListBucket", "arn:aws:s3:::bkt"));
        PolicyDocument desired = Doc(Statement("B", "s3:PutObject", "arn:aws:s3:::bkt/backup/*"));

        BucketPolicyMerge merge = BucketPolicyMerger.Merge(existing, desired, replace: false);

        Assert.True(merge.Changed);
        Assert.Equal(new[] { "A", "B", "C" }, Sids(merge.Result));
        Assert.Equal(new[] { "arn:aws:s3:::bkt/backup/*" }, merge.Result.Statements[1].Resources);
        Assert.Equal(new[] { "B" }, merge.Replaced);
        Assert.Empty(merge.Added);
        Assert.Equal(new[] { "A", "C" }, merge.Kept);
    }

    [Fact]
    public void SameSidIdenticalStatementIsNotReportedAsReplaced()
    {
        PolicyDocument existing = Doc(Statement("A", "s3:GetObject"), Statement("B", "s3:PutObject"));
        // Same statement as existing B, written with a different key order and Action as an array.
        PolicyDocument desired = PolicyJson.Parse(
            "{\"Statement\":{\"Resource\":\"arn:aws:s3:::bkt/*\",\"Action\":[\"s3:PutObject\"],\"Principal\":" + Principal + ",\"Effect\":\"Allow\",\"Sid\":\"B\"}}");

        BucketPolicyMerge merge = BucketPolicyMerger.Merge(existing, desired, replace: false);

        Assert.False(merge.Changed);
        Assert.Empty(merge.Replaced);
        Assert.Empty(merge.Added);
        Assert.Equal(new[] { "A", "B" }, Sids(merge.Result));
        Assert.Equal(new[] { "A" }, merge.Kept);
    }

    [Fact]
    public void IdenticalStatementWithoutSidIsNotDuplicated()
    {
        PolicyDocument existing = Doc(Statement("A", "s3:GetObject"), Statement(null, "s3:PutObject"));
        PolicyDocument desired = PolicyJson.Parse(
            "{ \"Version\": \"2012-10-17\",\n  \"Statement\": [ { \"Effect\": \"Allow\", \"Action\": \"s3:PutObject\",\n \"Principal\": " + Principal + ", \"Resource\": \"arn:aws:s3:::bkt/*\" } ] }");

        BucketPolicyMerge merge = BucketPolicyMerger.Merge(existing, desired, replace: false);

        Assert.False(merge.Changed);
        Assert.Equal(2, merge.Result.Statements.Count);
        Assert.Empty(merge.Added);
        Assert.Empty(merge.Replaced);
    }

    [Fact]
    public void DifferentStatementWithoutSidIsAdded()
    {
        PolicyDocument existing = Doc(Statement(null, "s3:PutObject"));
        PolicyDocument desired = Doc(Statement(null, "s3:GetObject"));

        BucketPolicyMerge merge = BucketPolicyMerger.Merge(existing, desired, replace: false);

        Assert.True(merge.Changed);
        Assert.Equal(2, merge.Result.Statements.Count);
        Assert.Equal(new[] { "s3:PutObject" }, merge.Result.Statements[0].Actions);
        Assert.Equal(new[] { "s3:GetObject" }, merge.Result.Statements[1].Actions);
        Assert.Equal(new[] { "(no Sid)" }, merge.Added);
    }

    [Fact]
    public void OtherStatementsAreKeptAndNewOnesAppended()
    {
        PolicyDocument existing = Doc(Statement("TheirAudit", "s3:GetBucketLocation", "arn:aws:s3:::bkt"), Statement("TheirRead", "s3:GetObject"));
        PolicyDocument desired = Doc(Statement("BackupWrite", "s3:PutObject"));

        BucketPolicyMerge merge = BucketPolicyMerger.Merge(existing, desired, replace: false);

        Assert.True(merge.Changed);
        Assert.Equal(new[] { "TheirAudit", "TheirRead", "BackupWrite" }, Sids(merge.Result));
        Assert.Equal(new[] { "TheirAudit", "TheirRead" }, merge.Kept);
        Assert.Equal(new[] { "BackupWrite" }, merge.Added);
        Assert.Empty(merge.Replaced);
        // The existing document itself is not modified.
        Assert.Equal(2, existing.Statements.Count);
    }

    [Fact]
    public void MergingTheSamePolicyAgainChangesNothing()
    {
        PolicyDocument existing = Doc(Statement("TheirRead", "s3:GetObject"), Statement(null, "s3:ListBucket", "arn:aws:s3:::bkt"));
        PolicyDocument desired = Doc(Statement("BackupWrite", "s3:PutObject"), Statement(null, "s3:GetBucketLocation", "arn:aws:s3:::bkt"));

        BucketPolicyMerge first = BucketPolicyMerger.Merge(existing, desired, replace: false);
        Assert.True(first.Changed);
        PolicyDocument stored = PolicyJson.Parse(PolicyJson.ToJson(first.Result, indented: false));

        BucketPolicyMerge second = BucketPolicyMerger.Merge(stored, desired, replace: false);

        Assert.False(second.Changed);
        Assert.Empty(second.Added);
        Assert.Empty(second.Replaced);
        Assert.Equal(PolicyJson.ToJson(stored), PolicyJson.ToJson(second.Result));
    }

    [Fact]
    public void ReplaceDropsEveryOtherStatement()
    {
        PolicyDocument existing = Doc(Statement("A", "s3:GetObject"), Statement("B", "s3:ListBucket", "arn:aws:s3:::bkt"));
        PolicyDocument desired = Doc(Statement("C", "s3:PutObject"));

        BucketPolicyMerge merge = BucketPolicyMerger.Merge(existing, desired, replace: true);

        Assert.True(merge.Changed);
        Assert.Equal(new[] { "C" }, Sids(merge.Result));
        Assert.Equal(new[] { "A", "B" }, merge.Replaced);
        Assert.Equal(new[] { "C" }, merge.Added);
        Assert.Empty(merge.Kept);
    }

    [Fact]
    public void ReplaceWithTheSamePolicyIsUnchanged()
    {
        PolicyDocument existing = Doc(Statement("C", "s3:PutObject"));
        PolicyDocument desired = Doc(Statement("C", "s3:PutObject"));

        Assert.False(BucketPolicyMerger.Merge(existing, desired, replace: true).Changed);
    }

    [Fact]
    public void LegacyVersionPolicyKeepsItsVersionWhenTheNewStatementsUseNoVariables()
    {
        // Under 2008-10-17, ${...} is literal text: upgrading the version would change what old statements mean.
        PolicyDocument existing = PolicyJson.Parse(
            "{\"Version\":\"2008-10-17\",\"Id\":\"OldPolicy\",\"Statement\":[" + Statement("Legacy", "s3:GetObject") + "]}");
        Assert.Equal(PolicyJson.LegacyVersion, existing.Version);
        PolicyDocument desired = Doc(Statement("BackupWrite", "s3:PutObject"));

        BucketPolicyMerge merge = BucketPolicyMerger.Merge(existing, desired, replace: false);

        Assert.True(merge.Changed);
        Assert.Equal(PolicyJson.LegacyVersion, merge.Result.Version);
        Assert.Equal("OldPolicy", merge.Result.Id);
        Assert.Equal(new[] { "Legacy", "BackupWrite" }, Sids(merge.Result));
        Assert.Equal(new[] { "Legacy" }, merge.Kept);
        Assert.Equal(new[] { "BackupWrite" }, merge.Added);
        Assert.StartsWith("{\"Version\":\"2008-10-17\"", PolicyJson.ToJson(merge.Result, indented: false));
    }

    [Fact]
    public void LegacyVersionPolicyMovesToTheCurrentVersionWhenTheNewStatementsUseVariables()
    {
        PolicyDocument existing = PolicyJson.Parse(
            "{\"Version\":\"2008-10-17\",\"Statement\":[" + Statement("Legacy", "s3:GetObject") + "]}");
        PolicyDocument desired = PolicyJson.Parse(
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Home\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:user/backup\"},\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::bkt/home/${aws:username}/*\"}]}");

        BucketPolicyMerge merge = BucketPolicyMerger.Merge(existing, desired, replace: false);

        Assert.Equal(PolicyDocument.CurrentVersion, merge.Result.Version);
        Assert.Equal(new[] { "Legacy", "Home" }, Sids(merge.Result));
    }

    [Fact]
    public void ReplacingWithTheSamePolicyReportsEverythingKept()
    {
        PolicyDocument existing = Doc(Statement("A", "s3:GetObject"), Statement("B", "s3:PutObject"));
        BucketPolicyMerge merge = BucketPolicyMerger.Merge(existing, Doc(Statement("A", "s3:GetObject"), Statement("B", "s3:PutObject")), replace: true);
        Assert.False(merge.Changed);
        Assert.Empty(merge.Replaced);
        Assert.Empty(merge.Added);
        Assert.Equal(new[] { "A", "B" }, merge.Kept);
    }
}
