using System.Linq;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Posture;
using Xunit;

namespace BackupIam.Engine.Tests.Posture
{
    /// <summary>The ransomware-posture bucket policy statements and the lock-out comparison of the caller with the break-glass ARN.</summary>
    public class BucketProtectionTests
    {
        [Theory]
        [InlineData("arn:aws:sts::123456789012:assumed-role/backup-break-glass/alice", "arn:aws:iam::123456789012:role/backup-break-glass", true)]
        [InlineData("arn:aws:sts::123456789012:assumed-role/backup-break-glass/alice", "arn:aws:iam::123456789012:role/ops/backup-break-glass", true)]
        [InlineData("arn:aws:sts::123456789012:assumed-role/other-role/alice", "arn:aws:iam::123456789012:role/backup-break-glass", false)]
        [InlineData("arn:aws:sts::210987654321:assumed-role/backup-break-glass/alice", "arn:aws:iam::123456789012:role/backup-break-glass", false)]
        [InlineData("arn:aws:iam::123456789012:user/admin", "arn:aws:iam::123456789012:role/backup-break-glass", false)]
        [InlineData("arn:aws:iam::123456789012:user/admin", "arn:aws:iam::123456789012:user/admin", true)]
        [InlineData("arn:aws:sts::123456789012:user/moto", "arn:aws:iam::123456789012:user/moto", true)]
        [InlineData("arn:aws:iam::123456789012:root", "arn:aws:iam::123456789012:role/backup-break-glass", false)]
        public void ComparesTheCallerWithTheBreakGlassPrincipal(string caller, string breakGlass, bool expected)
        {
            Assert.Equal(expected, BucketProtection.IsBreakGlass(caller, breakGlass));
        }

        [Fact]
        public void TlsOnlyHasTheBoolAndTheNullForm()
        {
            PolicyDocument doc = BucketProtection.Build(new BucketProtectionSpec { BucketName = "bkt", RequireTls = true });
            Assert.Equal(new[] { "DenyInsecureTransport", "DenyMissingSecureTransport" }, doc.Statements.Select(s => s.Sid).ToArray());
            Assert.All(doc.Statements, s => Assert.True(s.Principal!.IsWildcard));
            Assert.Equal("Bool", doc.Statements[0].Conditions.Single().Operator);
            Assert.Equal("false", doc.Statements[0].Conditions.Single().Values.Single());
            Assert.Equal("Null", doc.Statements[1].Conditions.Single().Operator);
            Assert.Equal("true", doc.Statements[1].Conditions.Single().Values.Single());
        }

        [Fact]
        public void DeleteProtectionDeniesTheProtectedActionsToAllButTheBreakGlassPrincipal()
        {
            PolicyDocument doc = BucketProtection.Build(new BucketProtectionSpec { BucketName = "bkt", BreakGlassPrincipalArn = "arn:aws:iam::123456789012:role/bg" });
            PolicyStatement st = Assert.Single(doc.Statements);
            Assert.Equal(PolicyEffect.Deny, st.Effect);
            Assert.Contains("s3:DeleteObjectVersion", st.Actions);
            Assert.Contains("s3:PutBucketVersioning", st.Actions);
            Assert.Contains("s3:PutLifecycleConfiguration", st.Actions);
            Assert.Contains("s3:PutBucketPolicy", st.Actions);
            ConditionClause c = st.Conditions.Single();
            Assert.Equal("ArnNotEquals", c.Operator);
            Assert.Equal("aws:PrincipalArn", c.Key);
            Assert.Equal("arn:aws:iam::123456789012:role/bg", c.Values.Single());
        }

        [Theory]
        [InlineData(false, null, "BucketProtectionEmpty")]
        [InlineData(false, "arn:aws:iam::123456789012:root", "BreakGlassPrincipalArnInvalid")]
        [InlineData(true, "role/bg", "BreakGlassPrincipalArnInvalid")]
        public void RefusesBadInput(bool tls, string? arn, string errorId)
        {
            var ex = Assert.Throws<InputValidationException>(() => BucketProtection.Validate(new BucketProtectionSpec { BucketName = "bkt", RequireTls = tls, BreakGlassPrincipalArn = arn }));
            Assert.Equal(errorId, ex.ErrorId);
        }
    }
}
