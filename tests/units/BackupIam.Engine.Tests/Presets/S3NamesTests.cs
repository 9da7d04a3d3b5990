using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;
using Xunit;

namespace BackupIam.Engine.Tests.Presets
{
    public class S3NamesTests
    {
        [Theory]
        [InlineData("abc")]
        [InlineData("my-backup-bucket")]
        [InlineData("my.backup.bucket")]
        [InlineData("1bucket9")]
        [InlineData("a23456789012345678901234567890123456789012345678901234567890123")]
        [InlineData("192.168.5.4x")]
        [InlineData("xn-bucket")]
        [InlineData("bucket-s3alias-not")]
        public void AcceptsValidBucketNames(string name)
        {
            S3Names.ValidateBucketName(name, "BucketName");
        }

        [Theory]
        [InlineData("", "required")]
        [InlineData("ab", "3 to 63")]
        [InlineData("a234567890123456789012345678901234567890123456789012345678901234", "3 to 63")]
        [InlineData("My-bucket", "uppercase")]
        [InlineData("my_bucket", "'_'")]
        [InlineData("my bucket", "U+0020")]
        [InlineData("-bucket", "begin and end")]
        [InlineData("bucket-", "begin and end")]
        [InlineData(".bucket", "begin and end")]
        [InlineData("my..bucket", "two adjacent periods")]
        [InlineData("192.168.5.4", "IP address")]
        [InlineData("xn--bucket", "'xn--'")]
        [InlineData("sthree-bucket", "'sthree-'")]
        [InlineData("amzn-s3-demo-bucket", "'amzn-s3-demo-'")]
        [InlineData("bucket-s3alias", "'-s3alias'")]
        [InlineData("bucket--ol-s3", "'--ol-s3'")]
        [InlineData("bucket.mrap", "'.mrap'")]
        [InlineData("bucket--x-s3", "'--x-s3'")]
        [InlineData("bucket--table-s3", "'--table-s3'")]
        public void RejectsInvalidBucketNames(string name, string rule)
        {
            var ex = Assert.Throws<InputValidationException>(() => S3Names.ValidateBucketName(name, "TargetBucket"));
            Assert.Equal("BucketNameInvalid", ex.ErrorId);
            Assert.Equal("TargetBucket", ex.ParameterName);
            Assert.Contains(rule, ex.Message);
            Assert.Contains("TargetBucket", ex.Message);
            Assert.Contains("my-backup-bucket", ex.Message);
        }

        [Theory]
        [InlineData(null, "")]
        [InlineData("", "")]
        [InlineData("/", "")]
        [InlineData("backup", "backup/")]
        [InlineData("backup/", "backup/")]
        [InlineData("/backup", "backup/")]
        [InlineData("backups/dataset-1", "backups/dataset-1/")]
        [InlineData("a b/\u00e9t\u00e9/", "a b/\u00e9t\u00e9/")]
        public void NormalizesPrefixes(string? input, string expected)
        {
            Assert.Equal(expected, S3Names.NormalizePrefix(input, "Prefix"));
        }

        [Theory]
        [InlineData("back*", "'*'")]
        [InlineData("back?up", "'?'")]
        [InlineData("home/${aws:username}/", "'${'")]
        [InlineData("a\tb", "control")]
        [InlineData("a//b", "'//'")]
        [InlineData("//a", "'//'")]
        public void RejectsInvalidPrefixes(string prefix, string rule)
        {
            var ex = Assert.Throws<InputValidationException>(() => S3Names.NormalizePrefix(prefix, "KeyPrefix"));
            Assert.Equal("PrefixInvalid", ex.ErrorId);
            Assert.Equal("KeyPrefix", ex.ParameterName);
            Assert.Contains(rule, ex.Message);
            Assert.Contains("backup/", ex.Message);
        }

        [Fact]
        public void RejectsPrefixOver1024Bytes()
        {
            string ok = new string('a', 1023);
            Assert.Equal(1024, S3Names.NormalizePrefix(ok, "Prefix").Length);
            string tooLong = new string('a', 1024); // 1025 bytes once "/" is added
            var ex = Assert.Throws<InputValidationException>(() => S3Names.NormalizePrefix(tooLong, "Prefix"));
            Assert.Contains("1024", ex.Message);
            string multiByte = new string('\u00e9', 512); // 1024 bytes + "/"
            Assert.Throws<InputValidationException>(() => S3Names.NormalizePrefix(multiByte, "Prefix"));
        }

        [Fact]
        public void BuildsArns()
        {
            Assert.Equal("arn:aws:s3:::b", S3Names.BucketArn("b"));
            Assert.Equal("arn:aws:s3:::b/backup/*", S3Names.ObjectArn("b", "backup/*"));
            Assert.Equal("arn:aws-cn:s3:::b/*", S3Names.ObjectArn("b", "*", "aws-cn"));
        }
    }
}
