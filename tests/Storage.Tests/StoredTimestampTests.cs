namespace Predictions.Storage.Tests;

public sealed class StoredTimestampTests
{
    private static readonly DateTimeOffset Noon = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_moment_is_stored_as_its_utc_instant_whatever_its_offset()
    {
        Assert.Equal(StoredTimestamp.Text(Noon), StoredTimestamp.Text(Noon.ToOffset(TimeSpan.FromHours(-5))));
        Assert.Equal(Noon, DateTimeOffset.Parse(
            StoredTimestamp.Text(Noon.ToOffset(TimeSpan.FromHours(9)))!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Null(StoredTimestamp.Text(null));
    }

    // The stores compare these texts in SQL (an idempotency claim older than a limit), so text order must be time order.
    [Fact]
    public void Stored_moments_sort_as_text_as_they_do_in_time()
    {
        DateTimeOffset[] moments =
        [
            Noon.AddTicks(1).ToOffset(TimeSpan.FromHours(2)),
            Noon.AddDays(-40),
            Noon.ToOffset(TimeSpan.FromHours(-11)),
            Noon.AddMilliseconds(-1).ToOffset(TimeSpan.FromHours(14)),
        ];

        var byText = moments.OrderBy(m => StoredTimestamp.Text(m), StringComparer.Ordinal);

        Assert.Equal(moments.Order(), byText);
    }
}
