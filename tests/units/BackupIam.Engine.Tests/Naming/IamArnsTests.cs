using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Presets;
using BackupIam.Engine.Simulation;
using Xunit;

namespace BackupIam.Engine.Tests.Naming
{
    public class IamArnsTests
    {
        [Theory]
        [InlineData("arn:aws:iam:::user/backup", "", "backup")]
        [InlineData("arn:aws:iam::backupteam:user/backup", "backupteam", "backup")]
        [InlineData("arn:aws:iam::tenant_2:user/backup", "tenant_2", "backup")]
        [InlineData("arn:aws:iam::123456789012:user/backup", "123456789012", "backup")]
        public void RgwPrincipalFormsAreAccepted(string arn, string account, string name)
        {
            PrincipalArnParts? parts = IamArns.TryParsePrincipal(arn, allowRoot: false, out string? problem);
            Assert.NotNull(parts);
            Assert.Null(problem);
            Assert.Equal(account, parts!.Account);
            Assert.Equal(name, parts.Name);
            Assert.Equal(account.Length != 12, parts.IsRgwTenant);
        }

        [Theory]
        [InlineData("arn:aws-fake:iam::123456789012:user/backup", "aws-fake")]
        [InlineData("arn:aws:iam::12345:user/backup", "12345")]
        [InlineData("arn:aws:iam::my-tenant:user/backup", "not the ARN")]
        [InlineData("arn:aws-cn:iam:::user/backup", "only valid")]
        [InlineData("arn:aws:iam:::root", "only valid")]
        [InlineData("arn:aws:iam::123456789012:group/g", "not the ARN")]
        public void MalformedArnsAreRefusedWithTheReason(string arn, string reason)
        {
            Assert.Null(IamArns.TryParsePrincipal(arn, allowRoot: true, out string? problem));
            Assert.Contains(reason, problem);
        }

        [Fact]
        public void SimulatorTakesRgwUserAndMatchesItInABucketPolicy()
        {
            PrincipalInfo user = PrincipalInfo.FromArn("arn:aws:iam:::user/backup");
            Assert.Equal(string.Empty, user.AccountId);
            Assert.Equal("backup", user.UserName);
            var bucketPolicy = new NamedPolicy("B", PolicyJson.Parse(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam:::user/backup\"},\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::b/backup/*\"}]}"), isResourcePolicy: true);
            var evaluator = new PolicyEvaluator();
            Assert.Equal(Decision.Allowed, evaluator.Evaluate(new NamedPolicy[0], bucketPolicy, new EvaluationRequest("s3:PutObject", "arn:aws:s3:::b/backup/x", user)).Decision);
            PrincipalInfo tenantUser = PrincipalInfo.FromArn("arn:aws:iam::other:user/backup");
            Assert.Equal(Decision.ImplicitDeny, evaluator.Evaluate(new NamedPolicy[0], bucketPolicy, new EvaluationRequest("s3:PutObject", "arn:aws:s3:::b/backup/x", tenantUser)).Decision);
        }

        [Fact]
        public void SimulatorRefusesAnUnknownPartition()
        {
            var ex = Assert.Throws<InputValidationException>(() => PrincipalInfo.FromArn("arn:aws-fake:iam::123456789012:user/backup"));
            Assert.Equal("PrincipalArnInvalid", ex.ErrorId);
            Assert.Contains("aws-fake", ex.Message);
        }

        [Theory]
        [InlineData("arn:aws:iam:::user/backup")]
        [InlineData("arn:aws:iam::backupteam:user/backup")]
        public void PresetsAcceptRgwPrincipals(string arn)
        {
            PolicyDocument doc = PresetCatalog.Build("WriteOnly", new PresetOptions { BucketName = "my-backup-bucket", PrincipalArn = arn, Kind = PresetPolicyKind.Bucket });
            Assert.All(doc.Statements, s => Assert.Equal(new[] { arn }, s.Principal!.Values["AWS"]));
            Assert.All(doc.Statements, s => Assert.All(s.Resources, r => Assert.StartsWith("arn:aws:s3:::my-backup-bucket", r)));
        }

        [Fact]
        public void PresetsRefuseAnUnknownPartition()
        {
            var ex = Assert.Throws<InputValidationException>(() => PresetCatalog.Build("WriteOnly", new PresetOptions { BucketName = "my-backup-bucket", PrincipalArn = "arn:aws-fake:iam::123456789012:user/backup", Kind = PresetPolicyKind.Bucket }));
            Assert.Equal("PrincipalArnInvalid", ex.ErrorId);
            Assert.Contains("aws-fake", ex.Message);
        }
    }
}
