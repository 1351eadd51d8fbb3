using Predictions.Storage.Sqlite;

namespace Predictions.Storage.Tests.Sqlite;

public sealed class SqliteOutageCodesTests
{
    // A code that failed a whole batch but were not an outage would send every write in it to the error queue.
    [Fact]
    public void Every_code_that_fails_a_whole_transaction_is_an_outage_so_its_writes_are_retried()
    {
        var failingTransactions = Enumerable.Range(0, 256).Where(SqliteOutageCodes.FailsTransaction).ToList();

        Assert.NotEmpty(failingTransactions);
        Assert.All(failingTransactions, code => Assert.True(SqliteOutageCodes.IsOutage(code), $"code {code}"));
    }
}
