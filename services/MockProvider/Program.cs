using Synaxis.MockProvider.Apis;
using Synaxis.MockProvider.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapOpenAiApi();

app.Run();

/// <summary>Visible to tests, which host the app through WebApplicationFactory.</summary>
public partial class Program;
