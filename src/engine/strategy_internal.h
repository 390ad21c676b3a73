/* The built-in strategy classes, registered by strategy.c. */
#ifndef TC_ENGINE_STRATEGY_INTERNAL_H
#define TC_ENGINE_STRATEGY_INTERNAL_H

#include "tradecore/strategy.h"

extern const struct tc_strategy_class tc__strategy_sma_cross;
extern const struct tc_strategy_class tc__strategy_donchian;

#endif
