using System.Text.RegularExpressions;
using Predictions.Harness;

namespace Predictions.Integration.Tests.Docs;

/// <summary>docs/broker-users.md shows the very permissions deploy/rabbitmq/provision-users.sh grants.</summary>
public sealed class BrokerUsersGuideTests
{
    private static readonly string Guide = File.ReadAllText(Path.Combine(Repository.Root, "docs", "broker-users.md"));
    private static readonly string Script = File.ReadAllText(Path.Combine(Repository.Root, "deploy", "rabbitmq", "provision-users.sh"));

    [Theory]
    [InlineData("gateway")]
    [InlineData("worker")]
    public void The_guide_lists_the_permissions_the_script_grants(string user)
    {
        var row = Regex.Match(
            Guide, $@"^\| `{user}` \| none \| `(?<configure>[^`]+)` \| `(?<write>[^`]+)` \| `(?<read>[^`]+)` \|$", RegexOptions.Multiline);
        Assert.True(row.Success, $"docs/broker-users.md has no table row for {user}");
        foreach (var permission in new[] { "configure", "write", "read" })
        {
            var variable = $"{user.ToUpperInvariant()}_{permission.ToUpperInvariant()}";
            var granted = Regex.Match(Script, $"^{variable}='(?<regex>[^']+)'$", RegexOptions.Multiline);
            Assert.True(granted.Success, $"provision-users.sh does not set {variable}");

            // A table cell escapes the regex's alternation bars.
            Assert.Equal(granted.Groups["regex"].Value, row.Groups[permission].Value.Replace(@"\|", "|", StringComparison.Ordinal));
        }
    }
}
