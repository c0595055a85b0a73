using Synaxis.Routing.Apis;
using Synaxis.Routing.Extensions;
using Synaxis.ServiceKit.Http;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.UseServiceApi();
app.MapCatalogAdminApis();
app.MapInferenceApi();
app.MapUnknownInferenceUrlApi();
app.Run();

/// <summary>Visible to tests, which host the service through WebApplicationFactory.</summary>
public partial class Program;
