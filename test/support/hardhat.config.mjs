// The Hardhat config the tests' local Ethereum node starts with (test/support/hardhat-node.ts): defaults only.
export default {}
