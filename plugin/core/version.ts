export { TOOL } from '../../runtime/version.js'
