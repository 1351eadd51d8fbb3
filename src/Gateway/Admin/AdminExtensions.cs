namespace Predictions.Gateway.Admin;

public static class AdminExtensions
{
    /// <summary>The model admin API (<c>Admin:*</c>): off by default; when on, its key is checked at start-up.</summary>
    public static IHostApplicationBuilder AddModelAdmin(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AdminOptions>()
            .BindConfiguration(AdminOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<AdminKeyFilter>();
        builder.Services.AddSingleton<RolloutAdmin>();
        return builder;
    }
}
