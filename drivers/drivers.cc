// Placeholder translation unit until the first driver lands.
namespace gb::drivers {
int DriversVersion() { return 1; }
}  // namespace gb::drivers
