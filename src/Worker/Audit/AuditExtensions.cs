using Predictions.Storage.Hosting;


namespace Predictions.Worker.Audit;

public static class AuditExtensions
{
    /// <summary>The audit store (<c>ConnectionStrings:Audit</c>) that the audit consumer writes to.</summary>
    public static IHostApplicationBuilder AddAudit(this IHostApplicationBuilder builder)
    {
        builder.AddStoreDatabase(AuditStore.Database, AuditSchema.Store);
        builder.Services.AddSingleton<AuditStore>();
        return builder;
    }
}
