// The --config file: a JSON object (comments allowed) of options. The
// operator writes it, but a typo or a truncated file must give a message,
// not a crash.
// Checks: only OptionsError escapes; a failed parse leaves the options as
// they were; accepted policy rules build a Policy (startup does that next).
#include <cstddef>
#include <cstdint>
#include <string>

#include "gateway/options.hpp"
#include "gateway/policy.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace sockgate::gateway;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    Options options;
    options.token = "before";
    try {
        apply_config_text(text, "fuzz.json", options);
    } catch (const OptionsError& e) {
        FUZZ_CHECK(std::string(e.what()).rfind("--config fuzz.json", 0) == 0, "message: %s", e.what());
        FUZZ_CHECK(options.token == "before" && options.allow.empty(), "options changed by a failed parse");
        return 0;
    }
    const Policy policy(options.allow, options.bind_allow);
    (void)policy.describe();
    FUZZ_CHECK(options.max_frame >= 65536 + 64, "max_frame %u", options.max_frame);
    FUZZ_CHECK(options.window >= 1 && options.max_sockets >= 1, "limits out of range");
    return 0;
}
