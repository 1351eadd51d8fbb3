using Predictions.Gateway.Status;

namespace Predictions.Gateway.Tests.Status;

public sealed class PredictionWaitersTests
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(1);
    private readonly PredictionWaiters _waiters = new();

    [Fact]
    public async Task An_outcome_wakes_every_client_waiting_for_that_prediction_and_hands_it_over()
    {
        var outcome = Completed(Guid.NewGuid());
        using var first = _waiters.Register(outcome.Id);
        using var second = _waiters.Register(outcome.Id);
        var waiting = new[] { first.WaitAsync(Long, CancellationToken.None), second.WaitAsync(Long, CancellationToken.None) };

        _waiters.Notify([outcome]);

        Assert.All(await Task.WhenAll(waiting), wake => Assert.Equal((true, outcome), wake));
    }

    [Fact]
    public async Task An_outcome_for_another_prediction_wakes_nobody()
    {
        using var registration = _waiters.Register(Guid.NewGuid());

        _waiters.Notify(Guid.NewGuid());

        Assert.False((await registration.WaitAsync(TimeSpan.FromMilliseconds(50), CancellationToken.None)).Woken);
    }

    [Fact]
    public async Task An_outcome_that_lands_after_registering_but_before_waiting_is_not_missed()
    {
        var id = Guid.NewGuid();
        using var registration = _waiters.Register(id);

        _waiters.Notify(id);

        Assert.True((await registration.WaitAsync(Long, CancellationToken.None)).Woken);
    }

    [Fact]
    public async Task A_client_that_gives_up_leaves_nothing_behind()
    {
        var id = Guid.NewGuid();
        _waiters.Register(id).Dispose();

        // A fresh registration must not see a signal left over from the abandoned one.
        using var registration = _waiters.Register(id);
        Assert.False((await registration.WaitAsync(TimeSpan.FromMilliseconds(20), CancellationToken.None)).Woken);
        _waiters.Notify(id);
        Assert.True((await registration.WaitAsync(Long, CancellationToken.None)).Woken);
    }

    private static PredictionRecord Completed(Guid id) =>
        new(id, PredictionStatus.Completed, 1, 2, new Dictionary<string, double>(), 4, null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, null);
}
