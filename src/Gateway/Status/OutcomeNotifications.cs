using Predictions.Storage;

namespace Predictions.Gateway.Status;

/// <summary>
/// The gateway that stores outcomes tells every other gateway on the database which predictions they were for, in
/// the same transaction, so only once it is committed (<see cref="StoreWrite.NotifyAsync"/>), and each gateway's
/// <see cref="OutcomeListener"/> wakes its own long polls. A payload is a comma-separated list of ids, cut to stay
/// under PostgreSQL's 8000-byte limit.
/// </summary>
public static class OutcomeNotifications
{
    public const string Channel = "prediction_outcomes";

    /// <summary>Ids per notification: 36 characters and a comma each, well under the payload limit.</summary>
    private const int IdsPerPayload = 200;

    public static async Task SendAsync(StoreWrite write, IEnumerable<string> ids)
    {
        foreach (var chunk in ids.Chunk(IdsPerPayload))
        {
            await write.NotifyAsync(Channel, string.Join(',', chunk));
        }
    }

    /// <summary>The ids a payload names; anything that is not one is skipped.</summary>
    public static IEnumerable<Guid> Read(string payload) =>
        payload.Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(id => Guid.TryParse(id, out var guid) ? guid : Guid.Empty)
            .Where(id => id != Guid.Empty);
}
