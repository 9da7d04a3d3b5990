using BackupIam.Engine.Errors;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Simulation;
using Xunit;

namespace BackupIam.Engine.Tests.Simulation
{
    public class PrincipalInfoTests
    {
        [Fact]
        public void UserArnGivesUserNameAndVariable()
        {
            var user = PrincipalInfo.FromArn("arn:aws:iam::123456789012:user/team/alice");
            Assert.Equal("alice", user.UserName);
            Assert.Equal("123456789012", user.AccountId);
            Assert.Equal(Decision.Allowed, HomeDirectory(user, "alice"));
        }

        [Fact]
        public void RoleArnHasNoUserNameSoUsernameVariablesMatchNothing()
        {
            var role = PrincipalInfo.FromArn("arn:aws:iam::123456789012:role/backup-role");
            Assert.Null(role.UserName);
            Assert.Null(role.UserId);
            Assert.Equal("arn:aws:iam::123456789012:role/backup-role", role.Arn);
            Assert.Equal(Decision.ImplicitDeny, HomeDirectory(role, "backup-role"));
        }

        [Theory]
        [InlineData("arn:aws:iam::12345:user/x")]
        [InlineData("arn:aws:iam::123456789012:group/x")]
        [InlineData("backup")]
        public void FromArnNamesTheGivenParameter(string arn)
        {
            var ex = Assert.Throws<InputValidationException>(() => PrincipalInfo.FromArn(arn, "PrincipalArn"));
            Assert.Equal("PrincipalArnInvalid", ex.ErrorId);
            Assert.Equal("PrincipalArn", ex.ParameterName);
            Assert.Contains("arn:aws:iam::123456789012:user/backup", ex.Message);
        }

        [Fact]
        public void UserNameValidationNamesTheParameterAndPointsArnsToPrincipalArn()
        {
            var bad = Assert.Throws<InputValidationException>(() => PrincipalInfo.ValidateUserName("bad user", "UserName"));
            Assert.Equal("UserNameInvalid", bad.ErrorId);
            Assert.Equal("UserName", bad.ParameterName);
            Assert.Contains("-UserName", bad.Message);

            var arn = Assert.Throws<InputValidationException>(() => PrincipalInfo.ValidateUserName("arn:aws:iam::123456789012:user/backup", "UserName"));
            Assert.Contains("-PrincipalArn", arn.Message);

            PrincipalInfo.ValidateUserName("backup+restic@site.example", "UserName");
        }

        [Fact]
        public void AccountIdValidationNamesTheParameter()
        {
            var ex = Assert.Throws<InputValidationException>(() => PrincipalInfo.ValidateAccountId("12345", "AccountId"));
            Assert.Equal("AccountIdInvalid", ex.ErrorId);
            Assert.Equal("AccountId", ex.ParameterName);
            Assert.Contains("12 digits", ex.Message);
        }

        private static Decision HomeDirectory(PrincipalInfo principal, string name)
        {
            var policy = new NamedPolicy("Home", PolicyJson.Parse(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::bbb/home/${aws:username}/*\"}]}"));
            return new PolicyEvaluator().Evaluate(new[] { policy }, null, new EvaluationRequest("s3:GetObject", "arn:aws:s3:::bbb/home/" + name + "/x", principal)).Decision;
        }
    }
}
