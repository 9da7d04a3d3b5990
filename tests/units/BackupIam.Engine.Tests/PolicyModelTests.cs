using BackupIam.Engine.Policies;
using Xunit;

namespace BackupIam.Engine.Tests
{
    public class PolicyModelTests
    {
        [Fact]
        public void NewDocumentUsesCurrentVersion()
        {
            var doc = new PolicyDocument();
            Assert.Equal("2012-10-17", doc.Version);
            Assert.Empty(doc.Statements);
        }
    }
}
