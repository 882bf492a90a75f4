// `ccpulsectl curve-keypair`: prints a new CURVE key pair in Z85, for sources[].curve.
#include <zmq.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "ccpulse/ctl/commands.hpp"

namespace ccpulse::ctl {

int runCurveKeypair(Args args) {
  if (!args.empty()) {
    std::cerr << "usage: ccpulsectl curve-keypair\n"
                 "Prints a new CURVE key pair (Z85): 'public: <key>' and 'secret: <key>'.\n";
    return args.size() == 1 && (args[0] == "--help" || args[0] == "-h") ? 0 : 2;
  }
  char publicKey[41] = {};
  char secretKey[41] = {};
  if (zmq_curve_keypair(publicKey, secretKey) != 0) {
    std::cerr << "ccpulsectl curve-keypair: " << std::strerror(errno) << " (libzmq built without CURVE?)\n";
    return 1;
  }
  std::cout << "public: " << publicKey << "\nsecret: " << secretKey << "\n";
  return 0;
}

}  // namespace ccpulse::ctl
